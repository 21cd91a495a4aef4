import { Injectable } from '@nestjs/common';
import { ALERT_RAISED, AlertKind, AlertRaisedEvent } from '@connector/contracts';
import { AlertEpisodes, EventContext, OnEvent } from '@connector/messaging';
import { AlertSender } from './alert-sender';
import { AlertWebhooksService } from './alert-webhooks.service';

/**
 * Episodes of an account that more than one service may see: order-ingestion and
 * amazon-notifications both meet a refusal of its credentials. Each service raises its own once;
 * the gateway keeps the episode too, so webhooks hear of it once whichever saw it first.
 */
const SHARED_ACCOUNT_EPISODES: AlertKind[] = [AlertKind.CredentialsRefused, AlertKind.SyncStalled];

/** Alerts the services raise: one delivery per webhook that wants it, made with the event's processed record (so once). */
@Injectable()
export class AlertEventsHandler {
  constructor(
    private readonly webhooks: AlertWebhooksService,
    private readonly sender: AlertSender,
  ) {}

  @OnEvent(ALERT_RAISED)
  async onAlertRaised(alert: AlertRaisedEvent, { manager, afterCommit }: EventContext): Promise<void> {
    if (SHARED_ACCOUNT_EPISODES.includes(alert.kind) && alert.accountId) {
      const changed = alert.resolved ? await AlertEpisodes.close(manager, alert.kind, alert.accountId) : await AlertEpisodes.open(manager, alert.kind, alert.accountId);
      // Already told (another service saw the same episode), or the end of one never told.
      if (!changed) return;
    }
    if ((await this.webhooks.fanOut(manager, alert)) > 0) afterCommit.add(() => this.sender.kick());
  }
}
