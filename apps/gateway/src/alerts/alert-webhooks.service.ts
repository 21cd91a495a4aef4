import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager, IsNull, Repository } from 'typeorm';
import { AlertKind, AlertRaisedEvent, Page } from '@connector/contracts';
import { newAlert } from '@connector/messaging';
import { newRowId } from '@connector/persistence';
import { listPage, SecretBox, ServiceError, SETTINGS } from '@connector/platform';
import { currentCorrelationId } from '@connector/workers';
import type { Caller } from '../access/api-keys.service';
import { ApiScope } from '../access/scopes';
import { GatewaySettings } from '../gateway.settings';
import { AlertBody, AlertDelivery } from './alert-delivery.entity';
import { AlertWebhook } from './alert-webhook.entity';
import {
  AlertDeliveryView,
  AlertWebhookView,
  CreateAlertWebhookRequest,
  CreatedAlertWebhookView,
  ListAlertDeliveriesRequest,
  ListAlertWebhooksRequest,
  TestAlertView,
} from './alert-webhook.messages';
import { WebhookAddressPolicy } from './webhook-addresses';

/** Where a webhook's secret is kept: the associated data it is sealed with. */
export const webhookSecretContext = (webhookId: string) => `alert_webhooks/${webhookId}/secret`;

/** Wakes the sender when deliveries were made (it also polls). */
export abstract class AlertSenderKick {
  abstract kick(): void;
}

/** The body a webhook receives; `correlationId`: of the work that raised it, when known. */
export function alertBody(alert: AlertRaisedEvent, correlationId?: string): AlertBody {
  return {
    id: alert.alertId,
    kind: alert.resolved ? `${alert.kind}.resolved` : alert.kind,
    occurredAt: alert.occurredAt,
    ...(alert.accountId ? { accountId: alert.accountId } : {}),
    ...(alert.amazonOrderId ? { amazonOrderId: alert.amazonOrderId } : {}),
    service: alert.service,
    summary: alert.summary,
    details: alert.details,
    ...(correlationId ? { correlationId } : {}),
  };
}

@Injectable()
export class AlertWebhooksService {
  private readonly secrets: SecretBox;
  private readonly addresses: WebhookAddressPolicy;

  constructor(
    private readonly dataSource: DataSource,
    @InjectRepository(AlertWebhook) private readonly webhooks: Repository<AlertWebhook>,
    @InjectRepository(AlertDelivery) private readonly deliveries: Repository<AlertDelivery>,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
    private readonly sender: AlertSenderKick,
  ) {
    this.secrets = new SecretBox(settings.WEBHOOK_SECRETS_KEY);
    this.addresses = new WebhookAddressPolicy(settings.ALERT_WEBHOOK_ALLOWED_HOSTS);
  }

  async create(request: CreateAlertWebhookRequest, by: Caller): Promise<CreatedAlertWebhookView> {
    const problems: { field: string; errors: string[] }[] = [];
    const url = new URL(request.url);
    const urlErrors: string[] = [];
    if (url.protocol === 'http:' && !this.settings.webhooksMayUseHttp) urlErrors.push('url must be https (plain http is refused here: ALERT_WEBHOOK_ALLOW_HTTP)');
    // Credentials in a URL would be shown in every listing of it.
    if (url.username || url.password) urlErrors.push('url must not hold a user name or password');
    // A hostname is checked on every send, on what it resolves to then; a literal address now too.
    if (!this.addresses.urlAllowed(url)) urlErrors.push('url must not be a loopback, private, link-local or other non-public address (ALERT_WEBHOOK_ALLOWED_HOSTS)');
    if (urlErrors.length) problems.push({ field: 'url', errors: urlErrors });
    // A key of the environment has no id to tie a webhook to: its webhooks are global.
    const global = request.global === true || by.keyId === null;
    if (global && !(by.scopes.includes(ApiScope.Admin) && by.accountIds === null)) problems.push({ field: 'global', errors: ['a global webhook takes an admin key of every account'] });
    if (by.accountIds && request.accountIds?.some((id) => !by.accountIds!.includes(id))) problems.push({ field: 'accountIds', errors: ['accountIds must be within the accounts of the calling key'] });
    if (problems.length) throw ServiceError.badRequest('Validation failed', problems);
    const id = newRowId();
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    await this.webhooks.insert({
      id,
      url: request.url,
      kinds: [...new Set(request.kinds)],
      accountIds: request.accountIds ?? null,
      apiKeyId: global ? null : by.keyId,
      encryptedSecret: this.secrets.encrypt(secret, webhookSecretContext(id)),
      createdBy: by.keyId ?? 'environment',
      deletedAt: null,
    });
    return { ...webhookView(await this.webhooks.findOneByOrFail({ id })), secret };
  }

  /** The caller's webhooks; an admin key of every account sees every webhook. */
  list(query: ListAlertWebhooksRequest, by: Caller): Promise<Page<AlertWebhookView>> {
    const rows = this.webhooks.createQueryBuilder('w').where('w.deletedAt IS NULL');
    if (!seesAll(by)) rows.andWhere('w.apiKeyId = :keyId', { keyId: by.keyId });
    return listPage(rows, query, webhookView);
  }

  /** One of the caller's webhooks (another's answers as unknown would: 404). */
  async get(id: string, by: Caller): Promise<AlertWebhook> {
    const webhook = await this.webhooks.findOneBy({ id, deletedAt: IsNull() });
    if (!webhook || (!seesAll(by) && webhook.apiKeyId !== by.keyId)) throw ServiceError.notFound(`alert webhook ${id} not found`);
    return webhook;
  }

  /** Stops it: nothing more is sent to it, what was not delivered yet included; its log stays. */
  async remove(id: string, by: Caller): Promise<void> {
    await this.get(id, by);
    await this.dataSource.transaction(async (manager) => {
      await manager.update(AlertWebhook, { id, deletedAt: IsNull() }, { deletedAt: new Date() });
      await manager.query(`update alert_deliveries set next_attempt_at = null, canceled_at = now() where webhook_id = $1 and next_attempt_at is not null`, [id]);
    });
  }

  async deliveriesOf(id: string, query: ListAlertDeliveriesRequest, by: Caller): Promise<Page<AlertDeliveryView>> {
    await this.get(id, by);
    const rows = this.deliveries.createQueryBuilder('d').where('d.webhookId = :id', { id });
    if (query.pendingOnly) rows.andWhere('d.nextAttemptAt IS NOT NULL');
    return listPage(rows, query, deliveryView, { newestFirst: true });
  }

  /** Queues a `test` alert for this webhook alone, signed and retried like any other. */
  async sendTest(id: string, by: Caller): Promise<TestAlertView> {
    const webhook = await this.get(id, by);
    const alert = newAlert({ kind: AlertKind.Test, service: 'gateway', summary: 'a test alert, sent on request (POST /api/v1/alert-webhooks/:id/test)', details: { requestedBy: by.keyId ?? 'environment' } });
    const deliveryId = newRowId();
    await this.deliveries.insert(newDelivery(deliveryId, webhook.id, alert, currentCorrelationId()));
    this.sender.kick();
    return { alertId: alert.alertId, deliveryId };
  }

  /**
   * Makes a delivery of the alert for each webhook that wants it, in the caller's transaction
   * (the consumer's, with the event's processed record: an alert comes in once). Answers how many.
   */
  async fanOut(manager: EntityManager, alert: AlertRaisedEvent): Promise<number> {
    const candidates: { id: string; account_ids: string[] | null; api_key_id: string | null; key_account_ids: string[] | null; key_revoked: boolean }[] = await manager.query(
      `select w.id, w.account_ids, w.api_key_id, k.account_ids as key_account_ids, (k.revoked_at is not null) as key_revoked
         from alert_webhooks w left join api_keys k on k.id = w.api_key_id
        where w.deleted_at is null and $1 = any(w.kinds)`,
      [alert.kind],
    );
    const targets = candidates.filter((w) => {
      // A key's webhook: only while the key lives, and only alerts of the accounts it may see.
      if (w.api_key_id && (w.key_revoked || !mayConcern(w.key_account_ids, alert.accountId))) return false;
      return mayConcern(w.account_ids, alert.accountId);
    });
    if (targets.length === 0) return 0;
    await manager
      .createQueryBuilder()
      .insert()
      .into(AlertDelivery)
      // The consumer handles the event in its correlation id (the service's work that raised it).
      .values(targets.map((w) => newDelivery(newRowId(), w.id, alert, currentCorrelationId())))
      .orIgnore()
      .execute();
    return targets.length;
  }
}

/** Whether an alert of this account is within these accounts (null: every account; an alert of no account only then). */
function mayConcern(accountIds: string[] | null, accountId: string | undefined): boolean {
  if (accountIds === null) return true;
  return accountId !== undefined && accountIds.includes(accountId);
}

const seesAll = (caller: Caller) => caller.scopes.includes(ApiScope.Admin) && caller.accountIds === null;

function newDelivery(id: string, webhookId: string, alert: AlertRaisedEvent, correlationId: string | undefined) {
  const body = alertBody(alert, correlationId);
  return { id, webhookId, alertId: alert.alertId, kind: body.kind, body, attempts: 0, lastStatus: null, lastError: null, nextAttemptAt: new Date(), claimedUntil: null, deliveredAt: null, givenUpAt: null, canceledAt: null };
}

function webhookView(w: AlertWebhook): AlertWebhookView {
  return { id: w.id, url: w.url, kinds: w.kinds, accountIds: w.accountIds, global: w.apiKeyId === null, apiKeyId: w.apiKeyId, createdBy: w.createdBy, createdAt: w.createdAt.toISOString() };
}

function deliveryView(d: AlertDelivery): AlertDeliveryView {
  return {
    id: d.id,
    webhookId: d.webhookId,
    alertId: d.alertId,
    kind: d.kind,
    summary: d.body.summary,
    attempts: d.attempts,
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
    givenUpAt: d.givenUpAt?.toISOString() ?? null,
    canceledAt: d.canceledAt?.toISOString() ?? null,
    createdAt: d.createdAt.toISOString(),
  };
}
