import { Injectable } from '@nestjs/common';
import { outcomeWithin } from '@connector/workers';

/** What one part of a service says about itself: healthy or not, and why, in a few words. */
export interface HealthReport {
  healthy: boolean;
  detail: string;
}

/** A check slower than this is reported as not answering (a stalled dependency must not stall health). */
export const INDICATOR_TIMEOUT_MS = 2000;

/**
 * The parts of a service that have something to say in its health answer (a stuck sync, parked
 * events, notifications waiting...). Each feature registers its check once at start; the health
 * answer runs them all, each bounded in time. They are reported, never a reason for readiness to
 * fail: one account's overdue sync must not take the service (or the API) out of rotation.
 */
@Injectable()
export class HealthIndicators {
  private readonly checks = new Map<string, () => Promise<HealthReport>>();

  register(name: string, check: () => Promise<HealthReport>): void {
    this.checks.set(name, check);
  }

  async report(): Promise<Record<string, HealthReport>> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        const outcome = await outcomeWithin(Promise.resolve().then(check), INDICATOR_TIMEOUT_MS);
        const report: HealthReport =
          outcome.status === 'fulfilled'
            ? outcome.value
            : { healthy: false, detail: outcome.status === 'timeout' ? `no answer within ${INDICATOR_TIMEOUT_MS / 1000} s` : `check failed: ${dependencyProblem(outcome.reason)}` };
        return [name, report] as const;
      }),
    );
    return Object.fromEntries(entries);
  }
}

/** PostgreSQL error codes (SQLSTATE) worth naming, in our words. */
const POSTGRES_PROBLEMS: Record<string, string> = {
  '28P01': 'authentication refused',
  '28000': 'authentication refused',
  '3D000': 'database does not exist',
  '53300': 'too many connections',
  '57P01': 'database shutting down',
  '57P02': 'database shutting down',
  '57P03': 'database starting up',
  '57014': 'query cancelled (statement timeout)',
};

/** Socket error codes worth naming, in our words. */
const SOCKET_PROBLEMS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection lost',
};

/**
 * Why a dependency failed, in our own words: never the driver's text, which names hosts, ports,
 * database roles or a connection string. Unknown errors say only their class.
 */
export function dependencyProblem(err: unknown): string {
  const seen = new Set<unknown>();
  for (let e: unknown = err; e && typeof e === 'object' && !seen.has(e); e = (e as { cause?: unknown; driverError?: unknown }).driverError ?? (e as { cause?: unknown }).cause) {
    seen.add(e);
    const code = String((e as { code?: unknown }).code ?? '');
    if (POSTGRES_PROBLEMS[code]) return POSTGRES_PROBLEMS[code];
    if (SOCKET_PROBLEMS[code]) return SOCKET_PROBLEMS[code];
    const message = e instanceof Error ? e.message : '';
    if (/Connection terminated|connection is lost|DISCONNECT|CONNECTION_CLOSED/i.test(message)) return 'connection lost';
    if (/not connected/i.test(message)) return 'not connected';
    if (/timeout/i.test(message)) return 'timed out';
  }
  return `failed (${err instanceof Error ? err.constructor.name : typeof err})`;
}
