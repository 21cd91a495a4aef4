import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SETTINGS } from '@connector/platform';
import { PeriodicWorker } from '@connector/workers';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { ParticipationsService } from './participations.service';

/** Every account's marketplaces asked again every MARKETPLACE_REFRESH_HOURS (new accounts at once), one call each. */
@Injectable()
export class ParticipationsRefresher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Participations');
  private worker?: PeriodicWorker;

  constructor(
    private readonly participations: ParticipationsService,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.settings.MARKETPLACE_REFRESH_HOURS * 3600_000;
    this.worker = new PeriodicWorker({
      name: 'marketplace participations refresh',
      pass: () => this.participations.refreshDue(),
      // Often enough to take a new account within a minute, and a short test interval on time.
      everyMs: Math.max(500, Math.min(60_000, intervalMs / 4)),
      onError: (message) => this.logger.warn(message),
      // A pass may wait on Amazon's quota or answer: shutdown does not wait for it (its claim runs out and the account is taken again).
      stopWaitMs: 2000,
    });
    this.worker.start();
  }

  /** A new account: its marketplaces now rather than at the next pass. */
  kick(): void {
    this.worker?.kick();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }
}
