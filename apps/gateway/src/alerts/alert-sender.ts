import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SecretBox, SETTINGS } from '@connector/platform';
import { backoffDelay, housekeeping, PeriodicWorker } from '@connector/workers';
import { DataSource } from 'typeorm';
import { GatewaySettings } from '../gateway.settings';
import { ALERT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './alert-signature';
import { AlertSenderKick, webhookSecretContext } from './alert-webhooks.service';

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
  body: string;
  attempts: number;
  created_at: Date;
  url: string;
  encrypted_secret: string;
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
  }

  onApplicationBootstrap(): void {
    this.worker.start();
    this.pruning.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pruning.stop();
    await this.worker.stop();
  }

  /** Housekeeping: the log keeps what is done (delivered, given up, or its webhook deleted) LOG_RETENTION_DAYS. */
  async prune(): Promise<void> {
    await this.dataSource.query(
      `delete from alert_deliveries where next_attempt_at is null and coalesce(delivered_at, given_up_at, created_at) < now() - make_interval(days => $1)`,
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
      await Promise.all(claimed.map((delivery) => this.send(delivery)));
      tried += claimed.length;
      if (claimed.length < BATCH) return tried;
    }
  }

  private async claim(): Promise<ClaimedDelivery[]> {
    // Held for the longest a try can take, and then some: a claim outlives its send.
    const holdSeconds = this.settings.ALERT_DELIVERY_TIMEOUT_SECONDS * 2 + 5;
    const [rows]: [ClaimedDelivery[], number] = await this.dataSource.query(
      `with due as (
         select d.id from alert_deliveries d
          where d.next_attempt_at <= now() and (d.claimed_until is null or d.claimed_until < now())
          order by d.next_attempt_at limit $1 for update skip locked
       )
       update alert_deliveries d set claimed_until = now() + make_interval(secs => $2), attempts = d.attempts + 1
         from due, alert_webhooks w
        where d.id = due.id and w.id = d.webhook_id
       returning d.id, d.webhook_id, d.alert_id, d.body::text as body, d.attempts, d.created_at, w.url, w.encrypted_secret`,
      [BATCH, holdSeconds],
    );
    return rows;
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    let status: number | null = null;
    let error: string | null = null;
    try {
      const secret = this.secrets.decrypt(delivery.encrypted_secret, webhookSecretContext(delivery.webhook_id));
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signatureHeader(secret, delivery.body), [ALERT_ID_HEADER]: delivery.alert_id, 'user-agent': 'amazon-order-connector-alerts' },
        body: delivery.body,
        // A redirect would send the alert somewhere nobody subscribed.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.settings.ALERT_DELIVERY_TIMEOUT_SECONDS * 1000),
      });
      status = response.status;
      // The status only: the answer's body is not kept nor shown (a webhook URL may point
      // anywhere the gateway reaches; its answers are no business of whoever subscribed it).
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      const reason = err as Error & { cause?: { code?: string; message?: string } };
      error = reason?.name === 'TimeoutError' ? `no answer within ${this.settings.ALERT_DELIVERY_TIMEOUT_SECONDS} s` : String(reason?.cause?.code ?? reason?.cause?.message ?? reason?.message ?? err);
    }
    await this.record(delivery, status, error).catch((err) => this.logger.warn(`could not record delivery ${delivery.id}: ${err.message} (its claim runs out and it is sent again)`));
  }

  private async record(delivery: ClaimedDelivery, status: number | null, error: string | null): Promise<void> {
    if (error === null) {
      await this.dataSource.query(`update alert_deliveries set delivered_at = now(), last_status = $2, last_error = null, next_attempt_at = null, claimed_until = null where id = $1`, [delivery.id, status]);
      return;
    }
    const waitMs = backoffDelay(delivery.attempts, { baseMs: RETRY_BASE_MS, maxMs: this.settings.ALERT_RETRY_MAX_SECONDS * 1000 });
    const giveUpAt = new Date(delivery.created_at).getTime() + this.settings.ALERT_RETRY_HOURS * 3_600_000;
    const next = Date.now() + waitMs;
    if (next > giveUpAt) {
      this.logger.warn(`gave up alert ${delivery.alert_id} to webhook ${delivery.webhook_id} after ${delivery.attempts} tries: ${error}`);
      await this.dataSource.query(`update alert_deliveries set given_up_at = now(), last_status = $2, last_error = $3, next_attempt_at = null, claimed_until = null where id = $1`, [delivery.id, status, error]);
      return;
    }
    await this.dataSource.query(`update alert_deliveries set last_status = $2, last_error = $3, next_attempt_at = $4, claimed_until = null where id = $1 and next_attempt_at is not null`, [delivery.id, status, error, new Date(next)]);
  }
}
