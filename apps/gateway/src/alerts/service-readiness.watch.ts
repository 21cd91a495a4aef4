import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AlertKind, SERVICE_NAMES, ServiceName } from '@connector/contracts';
import { AlertEpisodes, alertText, newAlert } from '@connector/messaging';
import { SETTINGS } from '@connector/platform';
import { PeriodicWorker } from '@connector/workers';
import { DataSource } from 'typeorm';
import { GatewaySettings } from '../gateway.settings';
import { SystemAssessment, SystemHealth } from '../health/system-health';
import { AlertSender } from './alert-sender';
import { AlertWebhooksService } from './alert-webhooks.service';

/**
 * Reads every service's readiness (SystemHealth, the assessment behind GET /health) every
 * ALERT_HEALTH_CHECK_SECONDS. A service that fails ALERT_NOT_READY_CHECKS checks in a row (silent,
 * or its own PostgreSQL or NATS down; a feature reporting a problem is not "not ready") is alerted
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
    private readonly system: SystemHealth,
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
    const { services } = await this.system.assess();
    await Promise.all(SERVICE_NAMES.map((service) => this.check(service, problemOf(services[service]))));
  }

  private async check(service: ServiceName, problem: string | undefined): Promise<void> {
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
    const changed = await this.dataSource.transaction(async (manager) => {
      if (change === 'start') {
        if (!(await AlertEpisodes.open(manager, AlertKind.ServiceNotReady, service))) return undefined;
        return this.webhooks.fanOut(manager, newAlert({ kind: AlertKind.ServiceNotReady, service, summary, details: { notReadyService: service, checks: this.settings.ALERT_NOT_READY_CHECKS } }));
      }
      if (!(await AlertEpisodes.close(manager, AlertKind.ServiceNotReady, service))) return undefined;
      return this.webhooks.fanOut(manager, newAlert({ kind: AlertKind.ServiceNotReady, resolved: true, service, summary: `${service} answers its health checks again`, details: { notReadyService: service } }));
    });
    if (changed === undefined) return; // another replica told it, or nothing changed
    // In the log too: an operator without a webhook (or whose webhook is broken) still sees it.
    if (change === 'start') this.logger.warn(`service.not_ready raised for ${service}: ${summary} (${changed} webhook deliveries)`);
    else this.logger.warn(`service.not_ready resolved for ${service}: it answers its health checks again (${changed} webhook deliveries)`);
    if (changed > 0) this.sender.kick();
  }
}

/** Why a service is not ready (silent, or its own dependencies down), or undefined when it is. */
function problemOf(health: SystemAssessment['services'][ServiceName]): string | undefined {
  if ('error' in health) return `no answer: ${health.error}`;
  if (health.status === 'up') return undefined;
  return `not ready: ${JSON.stringify({ postgres: health.postgres, nats: health.nats, ...(health.problems ? { problems: health.problems } : {}) })}`;
}
