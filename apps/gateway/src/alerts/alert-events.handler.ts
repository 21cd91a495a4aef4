import { Injectable } from '@nestjs/common';
import { ALERT_RAISED, AlertKind, AlertRaisedEvent } from '@connector/contracts';
import { EventContext, OnEvent } from '@connector/messaging';
import { EntityManager } from 'typeorm';
import { AlertSender } from './alert-sender';
import { AlertWebhooksService } from './alert-webhooks.service';

/**
 * Episodes of an account that more than one service may see: order-ingestion and
 * amazon-notifications both meet a refusal of its credentials, and each opens and ends its own.
 */
const SHARED_ACCOUNT_EPISODES: AlertKind[] = [AlertKind.CredentialsRefused, AlertKind.SyncStalled];

/**
 * An account's episode as the webhooks hear of it, kept per reporting service
 * (`alert_episode_sources`): it starts when the first service opens one, and ends only when
 * the last one open ends (one service seeing the credentials work again says nothing of what
 * the other sees). Answers whether the webhooks are to be told.
 */
async function changesAccountEpisode(manager: EntityManager, alert: AlertRaisedEvent & { accountId: string }): Promise<boolean> {
  // One account's episode at a time across gateway replicas: two services' opens handled at
  // once must not both find themselves first (nor two ends both last).
  await manager.query(`select pg_advisory_xact_lock(hashtext('alert_episode_sources'), hashtext($1 || '/' || $2))`, [alert.kind, alert.accountId]);
  if (alert.resolved) {
    const [closed] = (await manager.query(`delete from alert_episode_sources where kind = $1 and account_id = $2 and service = $3 returning service`, [alert.kind, alert.accountId, alert.service])) as [unknown[], number];
    // The end of a service's episode never heard opened changes nothing.
    if (closed.length === 0) return false;
  } else {
    const opened: unknown[] = await manager.query(
      `insert into alert_episode_sources (kind, account_id, service) values ($1, $2, $3) on conflict do nothing returning service`,
      [alert.kind, alert.accountId, alert.service],
    );
    if (opened.length === 0) return false;
  }
  const [{ open }]: { open: number }[] = await manager.query(`select count(*)::int as open from alert_episode_sources where kind = $1 and account_id = $2`, [alert.kind, alert.accountId]);
  // Raised: told if it is the first open; resolved: told if none is left open.
  return alert.resolved ? open === 0 : open === 1;
}

/** Alerts the services raise: one delivery per webhook that wants it, made with the event's processed record (so once). */
@Injectable()
export class AlertEventsHandler {
  constructor(
    private readonly webhooks: AlertWebhooksService,
    private readonly sender: AlertSender,
  ) {}

  @OnEvent(ALERT_RAISED)
  async onAlertRaised(alert: AlertRaisedEvent, { manager, afterCommit }: EventContext): Promise<void> {
    if (SHARED_ACCOUNT_EPISODES.includes(alert.kind) && alert.accountId && !(await changesAccountEpisode(manager, { ...alert, accountId: alert.accountId }))) return;
    if ((await this.webhooks.fanOut(manager, alert)) > 0) afterCommit.add(() => this.sender.kick());
  }
}
