import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SETTINGS } from '@connector/platform';
import { PeriodicWorker, settleWithin } from '@connector/workers';
import { AmazonNotificationsSettings } from '../amazon-notifications.settings';
import { CancellationFeedPoller } from './cancellation-feed-poller';
import { CancellationFeedSubmitter } from './cancellation-feed-submitter';

/**
 * Sends the seller's cancellations to Amazon as POST_ORDER_ACKNOWLEDGEMENT_DATA feeds (whole
 * orders, whole items) and unit cancellations as POST_PAYMENT_ADJUSTMENT_DATA feeds (some units of
 * an item): each kind in feeds of its own, by the same submitting, polling and retrying.
 *
 * Submitting: once the oldest due cancellation of an (account, marketplace) has waited the
 * batch window, every due one of them is claimed (`for update skip locked`, a lease kept alive
 * while the claimer works) and goes into ONE feed, a Message each, MessageID 1..n. The feed
 * document id and MessageIDs are written before createFeed, the feedId right after it.
 *
 * Polling: a pending cancellation with a feedId is in a feed whose outcome is not known yet.
 * Such rows are claimed the same way and their feed polled (getFeed); so a restarted or
 * other replica picks the polling up where it stopped, and never re-submits them. Once the
 * feed is DONE the processing report gives each order its own outcome: sent, or failed with
 * Amazon's message. A report that cannot say what became of an order (an error naming no
 * message, a FATAL or CANCELLED feed, no report) puts that order back to pending for a new
 * feed, up to NOTIFY_MAX_ATTEMPTS such feeds. An outage (createFeed or the upload refused with
 * 429/5xx, network) is waited out with back-off for NOTIFY_RETRY_HOURS and counts toward
 * nothing; polling simply goes on. Cancelling an order twice only earns a warning.
 *
 * Where a feed may exist without our knowing its feedId: the process dies after createFeed
 * went out and before the feedId is stored, or createFeed's answer is lost on the network
 * (5xx, timeout) after Amazon perhaps made the feed. createFeed has no idempotency key and
 * getFeeds does not name a feed's document, so those rows keep their document id. A whole-order
 * or whole-item cancellation is sent again (a second one earns an "already cancelled" warning,
 * which counts as sent). A unit cancellation is not sent blindly (a second feed would cancel
 * more units): the SP-API client does not retry such a createFeed itself, and before it is sent
 * again the submitter waits until no adjustment feed of the marketplace is processing at Amazon,
 * then reads the order (getOrder, or getOrderItems on v0): applied there, it is recorded as sent;
 * not applied, its items still to cancel go in a new feed; Amazon unreadable, it waits with
 * back-off (unit-cancellation-check.ts). Nothing else is ever submitted twice.
 *
 * This class runs the two on a timer (CancellationFeedSubmitter, CancellationFeedPoller).
 */
/** How long a stopping sender waits for a submission on the wire to record its feedId. */
const SHUTDOWN_GRACE_MS = 3000;

@Injectable()
export class CancellationSender implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CancellationSender.name);
  private readonly submitting = new Set<string>();
  private readonly work = new Set<Promise<unknown>>();
  private stopped = false;
  private submissions?: PeriodicWorker;
  private polls?: PeriodicWorker;

  constructor(
    private readonly submitter: CancellationFeedSubmitter,
    private readonly poller: CancellationFeedPoller,
    @Inject(SETTINGS) private readonly settings: AmazonNotificationsSettings,
  ) {}

  onApplicationBootstrap(): void {
    const onError = (message: string) => this.logger.warn(message);
    // Submitting starts a task per (account, marketplace) and returns: groups do not wait for each other.
    this.submissions = new PeriodicWorker({ name: 'looking for cancellations to send', pass: () => this.submitReadyGroups(), everyMs: this.settings.NOTIFY_POLL_MS, onError });
    this.polls = new PeriodicWorker({ name: 'polling cancellation feeds', pass: () => this.poller.pollDue(() => this.stopped), everyMs: this.settings.NOTIFY_POLL_MS, onError });
    this.submissions.start();
    this.polls.start();
  }

  /**
   * Stops taking work and hands back at once what has not gone to Amazon (a submission still
   * under way is withdrawn before its createFeed) and the feeds being polled, so another replica
   * carries on now rather than after the claims; then gives a createFeed on the wire a moment to
   * record its feedId (not minutes for a quota token).
   */
  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.submitter.handBackClaimed(), this.poller.handBackClaimed()]).catch((err) => this.logger.warn(`handing back cancellations failed: ${err.message}`));
    await settleWithin(Promise.allSettled([this.submissions?.stop(), this.polls?.stop(), ...this.work]), SHUTDOWN_GRACE_MS);
  }

  async submitReadyGroups(): Promise<void> {
    const groups = await this.submitter.readyGroups();
    for (const group of groups) {
      const key = `${group.account_id}/${group.marketplace_id}/${group.kind}`;
      if (this.submitting.has(key) || this.stopped) continue;
      this.submitting.add(key);
      this.track(
        this.submitter
          .submitGroup(group.account_id, group.marketplace_id, () => this.stopped, group.kind)
          .catch((err) => this.logger.warn(`cancellations of ${key}: ${err.message}`))
          .finally(() => this.submitting.delete(key)),
      );
    }
  }

  private track(promise: Promise<unknown>): void {
    this.work.add(promise);
    void promise.finally(() => this.work.delete(promise));
  }
}
