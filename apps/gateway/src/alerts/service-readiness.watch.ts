import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AlertKind, HEALTH_CHECKS, SERVICE_NAMES, ServiceName } from '@connector/contracts';
import { AlertEpisodes, alertText, newAlert } from '@connector/messaging';
import { ServiceClient, SETTINGS } from '@connector/platform';
import { PeriodicWorker } from '@connector/workers';
import { DataSource } from 'typeorm';
import { GatewaySettings } from '../gateway.settings';
import { HEALTH_TIMEOUT_MS } from '../health/health.controller';
import { AlertSender } from './alert-sender';
import { AlertWebhooksService } from './alert-webhooks.service';

/**
 * Asks every service's health over NATS, as GET /health does, every ALERT_HEALTH_CHECK_SECONDS.
 * A service that fails ALERT_NOT_READY_CHECKS checks in a row (no answer, or not up) is alerted
 * as `service.not_ready`, once per episode across gateway replicas (alert_episodes), and
 * `service.not_ready.resolved` once it answers up again.
 */
@Injectable()
export class ServiceReadinessWatch implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ServiceReadinessWatch.name);
  /** Failed checks in a row, per service (this replica's count: each replica asks on its own). */
  private readonly failures = new Map<ServiceName, number>();
  private readonly worker?: PeriodicWorker;

  constructor(
    private readonly dataSource: DataSource,
    private readonly services: ServiceClient,
    private readonly webhooks: AlertWebhooksService,
    private readonly sender: AlertSender,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
  ) {
    if (settings.ALERT_HEALTH_CHECK_SECONDS > 0) {
      this.worker = new PeriodicWorker({
        name: 'service readiness watch',
        pass: () => this.checkAll(),
        everyMs: settings.ALERT_HEALTH_CHECK_SECONDS * 1000,
        runAtStart: false,
        keepsProcessAlive: false,
        onError: (message) => this.logger.warn(message),
      });
    }
  }

  onApplicationBootstrap(): void {
    this.worker?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }

  async checkAll(): Promise<void> {
    await Promise.all(SERVICE_NAMES.map((service) => this.check(service)));
  }

  private async check(service: ServiceName): Promise<void> {
    const problem = await this.services.request(HEALTH_CHECKS[service], {}, HEALTH_TIMEOUT_MS).then(
      (health) => (health?.status === 'up' ? undefined : `not up: ${JSON.stringify({ postgres: health?.postgres, nats: health?.nats, details: health?.details })}`),
      (err) => `no answer: ${String(err?.body?.message ?? err?.message ?? err)}`,
    );
    if (problem === undefined) {
      const failed = this.failures.get(service) ?? 0;
      this.failures.set(service, 0);
      // Looked up only after a failure, or now and then: most checks touch no table.
      if (failed > 0 || Math.random() < 0.1) await this.episode(service, 'end', '');
      return;
    }
    const failures = (this.failures.get(service) ?? 0) + 1;
    this.failures.set(service, failures);
    if (failures >= this.settings.ALERT_NOT_READY_CHECKS) await this.episode(service, 'start', `${service} failed ${failures} health checks in a row, last: ${alertText(problem, 300)}`);
  }

  private async episode(service: ServiceName, change: 'start' | 'end', summary: string): Promise<void> {
    const made = await this.dataSource.transaction(async (manager) => {
      if (change === 'start') {
        if (!(await AlertEpisodes.open(manager, AlertKind.ServiceNotReady, service))) return 0;
        return this.webhooks.fanOut(manager, newAlert({ kind: AlertKind.ServiceNotReady, service, summary, details: { notReadyService: service, checks: this.settings.ALERT_NOT_READY_CHECKS } }));
      }
      if (!(await AlertEpisodes.close(manager, AlertKind.ServiceNotReady, service))) return 0;
      return this.webhooks.fanOut(manager, newAlert({ kind: AlertKind.ServiceNotReady, resolved: true, service, summary: `${service} answers its health checks again`, details: { notReadyService: service } }));
    });
    if (made > 0) this.sender.kick();
  }
}
