import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SETTINGS } from '@connector/platform';
import { PeriodicWorker } from '@connector/workers';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { PARTICIPATIONS_BATCH, ParticipationsService } from './participations.service';

/**
 * Every account's marketplaces asked again every MARKETPLACE_REFRESH_HOURS (new accounts at once), one call each.
 * A pass goes on while each batch was full: one batch a pass held a replica to 20 accounts a minute
 * (bench/many-sellers.ts), so of 1,000 accounts added at once the last had its marketplaces after
 * 50 minutes, and an account linked with Amazon, whose marketplaces come from that answer, its first sync.
 */
@Injectable()
export class ParticipationsRefresher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Participations');
  private worker?: PeriodicWorker;
  private stopping = false;

  constructor(
    private readonly participations: ParticipationsService,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.settings.MARKETPLACE_REFRESH_HOURS * 3600_000;
    this.worker = new PeriodicWorker({
      name: 'marketplace participations refresh',
      pass: () => this.refreshAllDue(),
      // Often enough to take a new account within a minute, and a short test interval on time.
      everyMs: Math.max(500, Math.min(60_000, intervalMs / 4)),
      onError: (message) => this.logger.warn(message),
      // A pass may wait on Amazon's quota or answer: shutdown does not wait for it (its claim runs out and the account is taken again).
      stopWaitMs: 2000,
    });
    this.worker.start();
  }

  /** Batch after batch until fewer than a batch were due (or the service stops). */
  async refreshAllDue(): Promise<void> {
    while (!this.stopping && (await this.participations.refreshDue()) >= PARTICIPATIONS_BATCH);
  }

  /** A new account: its marketplaces now rather than at the next pass. */
  kick(): void {
    this.worker?.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.worker?.stop();
  }
}
