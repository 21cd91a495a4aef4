import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { housekeeping } from '@connector/workers';
import { IdempotentRequest } from './idempotent-request.entity';

/** How long an answer is kept to replay. */
export const IDEMPOTENCY_HOURS = 24;
/**
 * A request still marked running after this long was cut short (its gateway stopped): the key
 * may be used again. Longer than any request takes (a service answers within 15 s or is a 503).
 */
const ABANDONED_SECONDS = 120;

export type Claim =
  | { outcome: 'new'; token: string }
  | { outcome: 'replay'; status: number; response: unknown }
  | { outcome: 'running' }
  | { outcome: 'different-request' };

/** JSON with object keys sorted, so the same body is the same text however its keys were ordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests the same request: method, path (with query) and body. */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${url}\n${canonical(body ?? null)}`).digest('hex');
}

/**
 * The answers of POSTs sent with an Idempotency-Key, per caller, kept IDEMPOTENCY_HOURS. A key is
 * claimed before the request runs (so two at once do not both run) and its answer stored after.
 */
@Injectable()
export class IdempotencyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private readonly pruning = housekeeping('pruning idempotency keys', () => this.requests.manager.connection, () => this.prune(), (message) => this.logger.warn(message));

  constructor(@InjectRepository(IdempotentRequest) private readonly requests: Repository<IdempotentRequest>) {}

  /** Claims the key for this request, or says what became of the request that claimed it first. */
  async claim(caller: string, key: string, fingerprint: string): Promise<Claim> {
    // One statement: a new key, an expired one or an abandoned one is ours; a live one is not.
    const token = randomUUID();
    const claimed: unknown[] = await this.requests.query(
      `insert into idempotent_requests (caller, idempotency_key, fingerprint, claim_token) values ($1, $2, $3, $6)
       on conflict (caller, idempotency_key) do update
         set fingerprint = excluded.fingerprint, claim_token = excluded.claim_token, status = null, response = null, created_at = now()
         where idempotent_requests.created_at < now() - make_interval(hours => $4)
            or (idempotent_requests.status is null and idempotent_requests.created_at < now() - make_interval(secs => $5))
       returning 1`,
      [caller, key, fingerprint, IDEMPOTENCY_HOURS, ABANDONED_SECONDS, token],
    );
    if (claimed.length) return { outcome: 'new', token };
    const first = await this.requests.findOneBy({ caller, idempotencyKey: key });
    // Gone meanwhile (pruned, or its request failed and let go): try once more.
    if (!first) return this.claim(caller, key, fingerprint);
    if (first.fingerprint !== fingerprint) return { outcome: 'different-request' };
    if (first.status === null) return { outcome: 'running' };
    return { outcome: 'replay', status: first.status, response: first.response };
  }

  /** The answer to replay (only while the claim is still this request's). */
  async complete(caller: string, key: string, token: string, status: number, response: unknown): Promise<void> {
    await this.requests.update({ caller, idempotencyKey: key, claimToken: token }, { status, response: (response ?? null) as object });
  }

  /** The request failed on our side (5xx): the key is free for a retry (if the claim is still this request's). */
  async release(caller: string, key: string, token: string): Promise<void> {
    await this.requests.delete({ caller, idempotencyKey: key, claimToken: token });
  }

  /** Keys older than IDEMPOTENCY_HOURS go; every replica may run it, deleting is idempotent. */
  async prune(): Promise<number> {
    const result = await this.requests
      .createQueryBuilder()
      .delete()
      .where(`created_at < now() - make_interval(hours => :hours)`, { hours: IDEMPOTENCY_HOURS })
      .execute();
    return result.affected ?? 0;
  }

  onApplicationBootstrap(): void {
    this.pruning.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pruning.stop();
  }
}
