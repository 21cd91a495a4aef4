import { Injectable } from '@nestjs/common';

/**
 * Tells the shipment confirmation sender that a notification is due now (new from the intake,
 * once its transaction commits, or retried by hand), so it need not wait for its next poll.
 * The notifications module cannot hold the sender itself: the sender needs the notifications
 * module.
 */
@Injectable()
export class DueNotifications {
  private readonly listeners: (() => void)[] = [];

  onDue(listener: () => void): void {
    this.listeners.push(listener);
  }

  announce(): void {
    for (const listener of this.listeners) listener();
  }
}
