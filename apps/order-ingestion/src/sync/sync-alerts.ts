import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AlertKind } from '@connector/contracts';
import { AlertEpisodes, alertText, raiseEpisodeAlert, resolveEpisodeAlert } from '@connector/messaging';
import { SETTINGS } from '@connector/platform';
import { isCredentialsRefused } from '@connector/sp-api';
import { PeriodicWorker } from '@connector/workers';
import { DataSource } from 'typeorm';
import { SellerAccount } from '../accounts/seller-account.entity';
import { OrderIngestionSettings } from '../order-ingestion.settings';

const SERVICE = 'order-ingestion';

/**
 * The alerts of an account's syncing, each once per episode across replicas (alert_episodes):
 * Amazon refusing its credentials (seen by a run), and no successful sync for
 * ALERT_SYNC_STALLED_MINUTES (looked for by a worker); `resolved` when it syncs again.
 */
@Injectable()
export class SyncAlerts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SyncAlerts.name);
  private readonly stallWatch: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(SETTINGS) private readonly settings: OrderIngestionSettings,
  ) {
    const thresholdMs = settings.ALERT_SYNC_STALLED_MINUTES * 60_000;
    this.stallWatch = new PeriodicWorker({
      name: 'sync stall alerts',
      pass: () => this.lookForStalledSyncs(),
      // Often enough that an alert is late by a small part of its threshold at most.
      everyMs: Math.max(1000, Math.min(60_000, thresholdMs / 4)),
      runAtStart: false,
      keepsProcessAlive: false,
      onError: (message) => this.logger.warn(message),
    });
  }

  onApplicationBootstrap(): void {
    this.stallWatch.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stallWatch.stop();
  }

  /**
   * After a run: a refusal of the credentials opens the episode, a run that succeeded ends it. Never
   * fails the caller. `known.credentialsRefused`: whether the episode was open as the run took the
   * account (only a run of the account, under its lease, opens it): when not, a success has nothing to end.
   */
  async afterRun(account: SellerAccount, outcome: { succeeded: boolean; error?: unknown }, known?: { credentialsRefused: boolean }): Promise<void> {
    if (outcome.succeeded && known?.credentialsRefused === false) return;
    try {
      if (!outcome.succeeded && isCredentialsRefused(outcome.error)) {
        const refusal = outcome.error;
        await this.dataSource.transaction((manager) =>
          raiseEpisodeAlert(manager, account.id, {
            kind: AlertKind.CredentialsRefused,
            service: SERVICE,
            accountId: account.id,
            summary: `Amazon refuses the credentials of account ${account.name} (${refusal.code}): give it a new refresh token (PATCH /api/v1/accounts/${account.id})`,
            // LWA's error code and description only: never the credentials.
            details: { status: refusal.status, code: refusal.code, reason: alertText(refusal.message) },
          }),
        );
      } else if (outcome.succeeded) {
        await this.dataSource.transaction((manager) =>
          resolveEpisodeAlert(manager, account.id, {
            kind: AlertKind.CredentialsRefused,
            service: SERVICE,
            accountId: account.id,
            summary: `Amazon takes the credentials of account ${account.name} again`,
            details: {},
          }),
        );
      }
    } catch (err) {
      this.logger.warn(`could not record the credentials alert of account ${account.id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Opens an episode for each account whose last successful sync is older than its sync interval
   * plus ALERT_SYNC_STALLED_MINUTES (a run was due and none succeeded for that long), and ends
   * those that synced since.
   */
  async lookForStalledSyncs(): Promise<void> {
    const minutes = this.settings.ALERT_SYNC_STALLED_MINUTES;
    const stalled: { id: string; name: string; last_ok: Date | null }[] = await this.dataSource.query(
      `select a.id, a.name, a.last_sync_succeeded_at as last_ok
         from seller_accounts a
        where a.deleted_at is null and a.sync_enabled
          and coalesce(a.last_sync_succeeded_at, a.created_at) < now() - make_interval(secs => a.sync_interval_seconds + $1)`,
      [minutes * 60],
    );
    const stalledIds = new Set(stalled.map((a) => a.id));
    for (const account of stalled) {
      await this.dataSource.transaction((manager) =>
        raiseEpisodeAlert(manager, account.id, {
          kind: AlertKind.SyncStalled,
          service: SERVICE,
          accountId: account.id,
          summary: `account ${account.name} has not synced for ${minutes} minutes past its interval (${account.last_ok ? `last success ${account.last_ok.toISOString()}` : 'never synced'}): see its sync runs (GET /api/v1/accounts/${account.id}/sync-runs)`,
          details: { lastSucceededAt: account.last_ok?.toISOString() ?? null, thresholdMinutes: minutes },
        }),
      );
    }
    const open = await AlertEpisodes.openSubjects(this.dataSource.manager, AlertKind.SyncStalled);
    const ended = open.filter((id) => !stalledIds.has(id));
    if (ended.length === 0) return;
    // Named as when it was raised (a deleted account keeps its name); the id is in the alert and its details.
    const names = new Map<string, string>(
      (await this.dataSource.query(`select id, name from seller_accounts where id = any($1::uuid[])`, [ended])).map((a: { id: string; name: string }) => [a.id, a.name]),
    );
    for (const accountId of ended) {
      await this.dataSource.transaction((manager) =>
        resolveEpisodeAlert(manager, accountId, {
          kind: AlertKind.SyncStalled,
          service: SERVICE,
          accountId,
          summary: `account ${names.get(accountId) ?? accountId} syncs again (or no longer syncs)`,
          details: { accountId },
        }),
      );
    }
  }
}
