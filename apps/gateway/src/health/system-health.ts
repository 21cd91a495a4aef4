import { Injectable } from '@nestjs/common';
import { HEALTH_CHECKS, SERVICE_NAMES, ServiceHealth, ServiceName } from '@connector/contracts';
import { Readiness, ReadinessAnswer, ServiceClient } from '@connector/platform';

/** How long a service may take to answer its health request. */
export const HEALTH_TIMEOUT_MS = 2000;

/** How long one assessment serves every probe: a flood of probes asks the services once a second at most. */
export const SYSTEM_HEALTH_CACHE_MS = 1000;

/** A service that did not answer its health request (in time), and why, in our words. */
export interface SilentService {
  service: string;
  status: 'down';
  error: string;
}

export interface SystemAssessment {
  /** The gateway's own readiness: its PostgreSQL and NATS. */
  gateway: ReadinessAnswer;
  /** Each service's readiness, asked over NATS, or why it is silent. */
  services: Record<ServiceName, ServiceHealth | SilentService>;
}

/**
 * The whole system's health, assessed once for GET /health, GET /health/ready and the readiness
 * watch: the gateway's own Readiness and every service's `<service>.health.v1` (2 s each, in
 * parallel). One assessment at a time, kept for a second.
 */
@Injectable()
export class SystemHealth {
  private latest?: { assessment: Promise<SystemAssessment>; settledAt?: number };

  constructor(
    private readonly services: ServiceClient,
    private readonly readiness: Readiness,
  ) {}

  /** The assessment under way, or one that settled less than a second ago, or a new one. */
  assess(): Promise<SystemAssessment> {
    const latest = this.latest;
    if (latest && (latest.settledAt === undefined || Date.now() - latest.settledAt < SYSTEM_HEALTH_CACHE_MS)) return latest.assessment;
    const entry: { assessment: Promise<SystemAssessment>; settledAt?: number } = { assessment: this.assessNow() };
    void entry.assessment.then(
      () => (entry.settledAt = Date.now()),
      () => (entry.settledAt = 0),
    );
    this.latest = entry;
    return entry.assessment;
  }

  private async assessNow(): Promise<SystemAssessment> {
    const [gateway, answers] = await Promise.all([
      this.readiness.assess(),
      Promise.all(
        SERVICE_NAMES.map((name) =>
          this.services.request(HEALTH_CHECKS[name], {}, HEALTH_TIMEOUT_MS).then(
            (health): ServiceHealth | SilentService => health,
            (err): SilentService => ({ service: name, status: 'down', error: silenceReason(name, err) }),
          ),
        ),
      ),
    ]);
    return { gateway, services: Object.fromEntries(SERVICE_NAMES.map((name, i) => [name, answers[i]])) as SystemAssessment['services'] };
  }
}

/** Our client's own words for a request that got no answer (they name the subject, never a host). */
function silenceReason(service: string, err: unknown): string {
  const message = String((err as { body?: { message?: unknown } })?.body?.message ?? (err as Error)?.message ?? '');
  return message.includes(HEALTH_CHECKS[service as ServiceName].subject) ? message : `no answer to ${HEALTH_CHECKS[service as ServiceName].subject}`;
}
