import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SecretBox, SETTINGS } from '@connector/platform';
import { backoffDelay, housekeeping, PeriodicWorker } from '@connector/workers';
import { request as httpRequest, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DataSource } from 'typeorm';
import { GatewaySettings } from '../gateway.settings';
import { alertDeliveryAttempts } from './alert-delivery.metrics';
import { ALERT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './alert-signature';
import { AlertSenderKick, webhookSecretContext } from './alert-webhooks.service';
import { AddressNotAllowed, WebhookAddressPolicy } from './webhook-addresses';

/** Deliveries one pass claims at most (sent in parallel). */
const BATCH = 20;
/** The sender looks for due deliveries this often, besides being woken when some are made. */
const POLL_MS = 1000;
/** Each try waits this long at first, then longer (capped full jitter). */
const RETRY_BASE_MS = 1000;
/** Deliveries delivered or given up are kept in the log this long. */
const LOG_RETENTION_DAYS = 30;

interface ClaimedDelivery {
  id: string;
  webhook_id: string;
  alert_id: string;
  kind: string;
  body: string;
  attempts: number;
  created_at: Date;
  url: string;
  encrypted_secret: string;
  /** Its webhook was deleted, or its key revoked, since it was made: not sent, ends canceled. */
  canceled: boolean;
}

/**
 * Sends alert deliveries: POSTs the alert's JSON, signed (X-Connector-Signature) with the
 * webhook's secret, and retries what got no 2xx with capped full-jitter back-off for
 * ALERT_RETRY_HOURS. A delivery is claimed (claimed_until, `for update skip locked`) before it is
 * sent, so two gateway replicas never send it at once; a replica that dies mid-send leaves
 * its claim to run out, and the delivery is sent again (receivers dedupe by X-Connector-Alert-Id).
 */
@Injectable()
export class AlertSender extends AlertSenderKick implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AlertSender.name);
  private readonly secrets: SecretBox;
  private readonly addresses: WebhookAddressPolicy;
  private readonly worker = new PeriodicWorker({
    name: 'alert sender',
    pass: () => this.sendDue(),
    everyMs: POLL_MS,
    onError: (message) => this.logger.warn(message),
  });
  private readonly pruning = housekeeping('alert delivery log pruning', () => this.dataSource, () => this.prune(), (message) => this.logger.warn(message));

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
  ) {
    super();
    this.secrets = new SecretBox(settings.WEBHOOK_SECRETS_KEY);
    this.addresses = new WebhookAddressPolicy(settings.ALERT_WEBHOOK_ALLOWED_HOSTS);
  }

  onApplicationBootstrap(): void {
    this.worker.start();
    this.pruning.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pruning.stop();
    await this.worker.stop();
  }

  /** Housekeeping: the log keeps what is done (delivered, given up, or canceled) LOG_RETENTION_DAYS. */
  async prune(): Promise<void> {
    await this.dataSource.query(
      `delete from alert_deliveries where next_attempt_at is null and coalesce(delivered_at, given_up_at, canceled_at, created_at) < now() - make_interval(days => $1)`,
      [LOG_RETENTION_DAYS],
    );
  }

  kick(): void {
    this.worker.kick();
  }

  /** Sends what is due until nothing is; answers how many were tried. */
  async sendDue(): Promise<number> {
    let tried = 0;
    for (;;) {
      const claimed = await this.claim();
      if (claimed.length === 0) return tried;
      await Promise.all(claimed.map((delivery) => (delivery.canceled ? this.cancel(delivery) : this.send(delivery))));
      tried += claimed.length;
      if (claimed.length < BATCH) return tried;
    }
  }

  private async claim(): Promise<ClaimedDelivery[]> {
    // Held for the longest a try can take, and then some: a claim outlives its send.
    const holdSeconds = this.settings.ALERT_DELIVERY_TIMEOUT_SECONDS * 2 + 5;
    // A delivery can be made in a consumer's transaction that commits just after its webhook
    // was deleted or its key revoked: those are claimed as canceled (not sent, no try counted).
    const [rows]: [ClaimedDelivery[], number] = await this.dataSource.query(
      `with due as (
         select d.id from alert_deliveries d
          where d.next_attempt_at <= now() and (d.claimed_until is null or d.claimed_until < now())
          order by d.next_attempt_at limit $1 for update skip locked
       ), claimed as (
         select due.id, w.url, w.encrypted_secret,
                (w.deleted_at is not null or exists (select 1 from api_keys k where k.id = w.api_key_id and k.revoked_at is not null)) as canceled
           from due join alert_deliveries d on d.id = due.id join alert_webhooks w on w.id = d.webhook_id
       )
       update alert_deliveries d set claimed_until = now() + make_interval(secs => $2), attempts = d.attempts + (case when claimed.canceled then 0 else 1 end)
         from claimed
        where d.id = claimed.id
       returning d.id, d.webhook_id, d.alert_id, d.kind, d.body::text as body, d.attempts, d.created_at, claimed.url, claimed.encrypted_secret, claimed.canceled`,
      [BATCH, holdSeconds],
    );
    return rows;
  }

  private async cancel(delivery: ClaimedDelivery): Promise<void> {
    await this.dataSource
      .query(`update alert_deliveries set canceled_at = now(), next_attempt_at = null, claimed_until = null where id = $1 and next_attempt_at is not null`, [delivery.id])
      .catch((err) => this.logger.warn(`could not cancel delivery ${delivery.id}: ${err.message} (its claim runs out and it is canceled again)`));
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const secret = this.secrets.decrypt(delivery.encrypted_secret, webhookSecretContext(delivery.webhook_id));
      status = await this.post(new URL(delivery.url), {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signatureHeader(secret, delivery.body),
        [ALERT_ID_HEADER]: delivery.alert_id,
        'user-agent': 'amazon-order-connector-alerts',
      }, delivery.body);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = coarseError(err);
      this.logger.debug(`alert ${delivery.alert_id} to webhook ${delivery.webhook_id}: ${(err as Error)?.message}`);
    }
    await this.record(delivery, status, error).catch((err) => this.logger.warn(`could not record delivery ${delivery.id}: ${err.message} (its claim runs out and it is sent again)`));
  }

  /**
   * POSTs the body and answers the status. Node's own http(s) rather than fetch: the address is
   * checked where the connection is made (the lookup of WebhookAddressPolicy), not before it.
   * No redirect is followed (it would send the alert somewhere nobody subscribed); the answer's
   * body is neither kept nor shown (a webhook's answers are no business of whoever subscribed it).
   */
  private post(url: URL, headers: Record<string, string>, body: string): Promise<number> {
    // A literal address is connected to without a lookup: checked here.
    if (!this.addresses.urlAllowed(url)) return Promise.reject(new AddressNotAllowed());
    const timeoutMs = this.settings.ALERT_DELIVERY_TIMEOUT_SECONDS * 1000;
    const options: RequestOptions = { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: this.addresses.lookup(url.hostname), agent: false };
    return new Promise<number>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (response) => {
        response.resume();
        response.on('error', () => undefined);
        resolve(response.statusCode ?? 0);
      });
      const deadline = setTimeout(() => request.destroy(new DeliveryTimeout()), timeoutMs);
      request.on('close', () => clearTimeout(deadline));
      request.on('error', reject);
      request.end(body);
    });
  }

  private async record(delivery: ClaimedDelivery, status: number | null, error: string | null): Promise<void> {
    alertDeliveryAttempts.inc({ outcome: error === null ? 'delivered' : 'failed' });
    if (error === null) {
      await this.dataSource.query(`update alert_deliveries set delivered_at = now(), last_status = $2, last_error = null, next_attempt_at = null, claimed_until = null where id = $1`, [delivery.id, status]);
      return;
    }
    const waitMs = backoffDelay(delivery.attempts, { baseMs: RETRY_BASE_MS, maxMs: this.settings.ALERT_RETRY_MAX_SECONDS * 1000 });
    const giveUpAt = new Date(delivery.created_at).getTime() + this.settings.ALERT_RETRY_HOURS * 3_600_000;
    const next = Date.now() + waitMs;
    // Coarse only (the error as the log of deliveries says it), never the address or the receiver's answer.
    const which = `webhook ${delivery.webhook_id}, alert ${delivery.alert_id}, kind ${delivery.kind}`;
    if (next > giveUpAt) {
      this.logger.error(`alert delivery given up: ${which}: ${error}, attempt ${delivery.attempts}, no more tries (ALERT_RETRY_HOURS=${this.settings.ALERT_RETRY_HOURS} ran out)`);
      await this.dataSource.query(`update alert_deliveries set given_up_at = now(), last_status = $2, last_error = $3, next_attempt_at = null, claimed_until = null where id = $1`, [delivery.id, status, error]);
      return;
    }
    this.logger.warn(`alert delivery failed: ${which}: ${error}, attempt ${delivery.attempts}, next try at ${new Date(next).toISOString()}`);
    await this.dataSource.query(`update alert_deliveries set last_status = $2, last_error = $3, next_attempt_at = $4, claimed_until = null where id = $1 and next_attempt_at is not null`, [delivery.id, status, error, new Date(next)]);
  }
}

class DeliveryTimeout extends Error {
  constructor() {
    super('timeout');
  }
}

/**
 * What the delivery log says of a send that got no answer: coarse, never the error's text
 * (hosts, ports, certificate names), so the log is no map of what the gateway reaches.
 */
export function coarseError(err: unknown): string {
  if (err instanceof AddressNotAllowed) return 'address not allowed';
  if (err instanceof DeliveryTimeout) return 'timeout';
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 'timeout';
  if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code)) return 'tls failed';
  return 'connection failed';
}
