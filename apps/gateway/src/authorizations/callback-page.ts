import { ArgumentsHost, BadRequestException, Catch, ExceptionFilter, HttpException, Injectable, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { AuthorizationCompletedView, FieldError } from '@connector/contracts';
import { counter, ServiceError } from '@connector/platform';
import { AuditService } from '../access/audit.service';
import { HttpErrorFilter, toHttpErrorBody } from '../common/http-error.filter';
import { CALLBACK_PATH, UNKNOWN_CALLER } from './authorization-events.handler';

/**
 * Refused callbacks by who refused them: `gateway` (a field of the query; audited here), `order_ingestion`
 * (audited from its event), `rate_limit` (429: counted only, anyone can cause as many as they like), `other`.
 */
export const callbackRefusals = counter({
  name: 'connector_authorization_callback_refusals_total',
  help: 'Link with Amazon callbacks refused, by who refused them: gateway (a missing or malformed field; audited), order_ingestion (the state, the seller, LWA; audited from its event), rate_limit (the per-address request rate; not audited), other',
  labelNames: ['by'],
});

interface CallbackRequest {
  headers: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  accepts?: (types: string[]) => string | false;
}

interface PageResponse {
  headersSent?: boolean;
  status(code: number): PageResponse;
  type(type: string): PageResponse;
  setHeader(name: string, value: string): void;
  send(body: string): void;
}

/** A browser (Accept preferring text/html); an API client, curl's `*\/*` included, gets JSON. */
export function prefersHtml(request: CallbackRequest): boolean {
  return request.accepts?.(['application/json', 'text/html']) === 'text/html';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function page(title: string, paragraphs: string[]): string {
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:0 .2rem}</style>',
    `</head><body><h1>${escapeHtml(title)}</h1>`,
    ...paragraphs.map((p) => `<p>${p}</p>`),
    '</body></html>',
  ].join('\n');
}

/** The seller's browser after a link: which seller and account, nothing secret (no code, no token, no state). */
export function linkedPage(sellingPartnerId: string, completed: AuthorizationCompletedView): string {
  return page('Amazon seller linked', [
    `Seller <code>${escapeHtml(sellingPartnerId)}</code> is linked to the connector as account <code>${escapeHtml(completed.accountId)}</code>${completed.created ? ' (a new account)' : ' (its authorization renewed)'}.`,
    'Its marketplaces are read from Amazon in a moment. You can close this page.',
  ]);
}

/** Why a callback was refused, as the JSON answer says it: its message and each failing field's errors (no secret is among them). */
export function refusedPage(statusCode: number, message: string, details?: FieldError[]): string {
  const reasons = Array.isArray(details) ? details.filter((d) => d && typeof d.field === 'string') : [];
  return page('Link with Amazon did not complete', [
    escapeHtml(message),
    ...(reasons.length ? [reasons.map((d) => `<code>${escapeHtml(d.field)}</code>: ${escapeHtml((Array.isArray(d.errors) ? d.errors : []).map(String).join('; '))}`).join('<br>')] : []),
    statusCode >= 500 ? 'Nothing was changed. Try again in a few minutes, or ask whoever sent you the link for a new one.' : 'Nothing was changed. Ask whoever sent you the link for a new one.',
  ]);
}

/**
 * The callback's errors: an HTML page for a browser, the usual problem document otherwise. A
 * refusal the gateway makes itself (the query's fields: a 400 of its validation) is audited here,
 * under no key; one order-ingestion makes is audited from its event (AUTHORIZATION_REFUSED), like
 * a link. Nothing else is audited: a request over the per-address rate (429) is only counted, or
 * anyone could grow the audit log as fast as they can send requests.
 */
@Catch()
@Injectable()
export class CallbackPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('Authorizations');
  private readonly problems = new HttpErrorFilter();

  constructor(private readonly audit: AuditService) {}

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const http = host.switchToHttp();
    const request = http.getRequest<CallbackRequest>();
    const response = http.getResponse<PageResponse>();
    // Logged once, by whichever answers below.
    const body = toHttpErrorBody(exception);
    const fromOrderIngestion = exception instanceof ServiceError || exception instanceof RpcException;
    const byGateway = !fromOrderIngestion && exception instanceof BadRequestException;
    callbackRefusals.inc({ by: fromOrderIngestion ? 'order_ingestion' : byGateway ? 'gateway' : body.statusCode === 429 ? 'rate_limit' : 'other' });
    if (byGateway) {
      const sellingPartnerId = typeof request.query?.selling_partner_id === 'string' ? request.query.selling_partner_id.slice(0, 20) : null;
      await this.audit
        .record({ keyId: null, name: UNKNOWN_CALLER, scopes: [], accountIds: null }, { method: 'GET', path: CALLBACK_PATH, action: `GET ${CALLBACK_PATH}`, body: { refused: body.message.slice(0, 500), fields: Array.isArray(body.details) ? body.details.map((d) => d.field) : [], sellingPartnerId } }, body.statusCode)
        .catch((err: Error) => this.logger.error(`audit entry of a refused callback not written: ${err.message}`));
    }
    if (!prefersHtml(request) || response.headersSent) return this.problems.catch(exception, host);
    if (body.statusCode >= 500) {
      if (!fromOrderIngestion && !(exception instanceof HttpException)) this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
      this.logger.warn(`GET ${CALLBACK_PATH} -> ${body.statusCode} ${body.message}`);
    }
    response.setHeader('cache-control', 'no-store');
    response.status(body.statusCode).type('text/html; charset=utf-8').send(refusedPage(body.statusCode, body.message, Array.isArray(body.details) ? body.details : undefined));
  }
}
