import { Injectable } from '@nestjs/common';
import { ALERT_RAISED, AlertRaisedEvent } from '@connector/contracts';
import { EventContext, OnEvent } from '@connector/messaging';
import { AlertWebhooksService } from './alert-webhooks.service';
import { AlertSender } from './alert-sender';

/** Alerts the services raise: one delivery per webhook that wants it, made with the event's processed record (so once). */
@Injectable()
export class AlertEventsHandler {
  constructor(
    private readonly webhooks: AlertWebhooksService,
    private readonly sender: AlertSender,
  ) {}

  @OnEvent(ALERT_RAISED)
  async onAlertRaised(alert: AlertRaisedEvent, { manager, afterCommit }: EventContext): Promise<void> {
    if ((await this.webhooks.fanOut(manager, alert)) > 0) afterCommit.add(() => this.sender.kick());
  }
}
