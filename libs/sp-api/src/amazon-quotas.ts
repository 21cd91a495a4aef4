import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Pool, PoolConfig } from 'pg';
import { sleep } from '@connector/workers';
import { OPERATION_LIMITS, SAFETY_FACTOR, SpApiOperation, TokenBucket } from './rate-limits';
import { quotaLocalTakes, quotaStoreAway, quotaStoreDuration } from './sp-api.metrics';

/**
 * Operations called with the application's grantless token: Amazon meters them per application
 * and region, whichever seller a call is made for.
 */
export const GRANTLESS_OPERATIONS: ReadonlySet<SpApiOperation> = new Set(['createDestination', 'getDestinations', 'deleteSubscriptionById']);

/** Whose quota a call spends: Amazon meters per selling partner and application (LWA client), per region. */
export interface QuotaOwner {
  sellerId: string;
  clientId: string;
  /** The SP-API base URL (one per region, or the sandbox). */
  endpoint: string;
}

/** One operation's quota as one client spends it. */
export interface OperationQuota {
  /** Takes one token, waiting as long as needed; answers how long this caller slept for it. */
  take(): Promise<number>;
  /** Takes a token only if one is there now (0), never waiting; else how long until one is (nothing taken). */
  tryTake(): Promise<number>;
  /** How long until `count` tokens are there for a new caller, after the callers waiting already; 0: now. */
  msUntilTokens(count: number): Promise<number>;
  /** Amazon's `x-amzn-RateLimit-Limit` may grant a different rate than the published one. */
  setRate(rate: number): void;
  /** After a 429: Amazon's bucket is empty whatever ours says. */
  drain(): Promise<void>;
  /** A token taken for a call withdrawn before it went out: back to the bucket, so nobody waits for it. */
  giveBack(): Promise<void>;
}

/** Where the quotas of Amazon's operations are kept: this process alone, or shared by every replica of every service. */
export abstract class AmazonQuotas {
  abstract quota(owner: QuotaOwner, operation: SpApiOperation): OperationQuota;
}

/** The bucket of a (seller, application, region, operation): the key every process computes alike. */
export function quotaBucketKey(owner: QuotaOwner, operation: SpApiOperation): string {
  const seller = GRANTLESS_OPERATIONS.has(operation) ? '*' : owner.sellerId;
  return `${operation} ${seller} ${owner.clientId} ${owner.endpoint.replace(/\/+$/, '')}`;
}

/** A token bucket of this process only (tests, tools, a sole process). */
export class LocalQuota implements OperationQuota {
  constructor(readonly bucket: TokenBucket) {}

  take(): Promise<number> {
    return this.bucket.take();
  }

  async tryTake(): Promise<number> {
    return this.bucket.tryTake() ? 0 : Math.max(1, this.bucket.msUntilTokens(1));
  }

  async msUntilTokens(count: number): Promise<number> {
    return this.bucket.msUntilTokens(count);
  }

  setRate(rate: number): void {
    this.bucket.setRate(rate);
  }

  async drain(): Promise<void> {
    this.bucket.drain();
  }

  async giveBack(): Promise<void> {
    this.bucket.giveBack();
  }
}

/** Quotas kept in this process: right only where nothing else calls Amazon for the same sellers. */
export class LocalQuotas extends AmazonQuotas {
  constructor(private readonly scale = 1) {
    super();
  }

  quota(_owner: QuotaOwner, operation: SpApiOperation): OperationQuota {
    const limit = OPERATION_LIMITS[operation];
    return new LocalQuota(new TokenBucket(limit.rate, limit.burst, this.scale));
  }
}

/** What the shared quotas need of PostgreSQL: a TypeORM DataSource (its query answers the rows), or quotaStorePool. */
export interface QuotaStoreConnection {
  query(sql: string, parameters?: unknown[]): Promise<any>;
  end?(): Promise<void>;
}

/**
 * The quotas' own small pool on the service's database (its URL and session settings). A take
 * never queues behind the service's transactions, and one that is not answered within `timeoutMs`
 * cannot still run later: the wait for a connection gives up after half of it, and PostgreSQL
 * cancels the statement after the other half. Else a late take would reserve a token in the shared
 * row after its caller paced alone, and every replica would wait for it.
 */
export function quotaStorePool(dataSource: { options: object }, timeoutMs = DEFAULT_TIMEOUT_MS): QuotaStoreConnection {
  const options = dataSource.options as { url?: string; extra?: Record<string, unknown> };
  const half = Math.max(1, Math.floor(timeoutMs / 2));
  const pool = new Pool({
    ...options.extra,
    connectionString: options.url,
    max: 3,
    connectionTimeoutMillis: half,
    statement_timeout: half,
    lock_timeout: undefined,
    query_timeout: timeoutMs + 1000,
  } as PoolConfig);
  pool.on('error', () => undefined);
  return {
    query: async (sql, parameters) => (await pool.query(sql, parameters)).rows,
    end: () => pool.end(),
  };
}

export interface SharedQuotasOptions {
  /** Multiplies Amazon's restore rates (a sandbox whose clock runs faster), as the clients' rateScale. */
  scale?: number;
  /** A statement of the store not answered within this counts as the store away. */
  timeoutMs?: number;
  /** While the store is away, one call this often tries it again. */
  retryMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2000;
/**
 * SQLSTATEs of a store that is away or overloaded (connection errors, shutdown, too many connections,
 * out of resources, a statement cancelled by its timeout, serialization): anything else is a fault.
 */
const STORE_AWAY_STATES = /^(08|53|57|58|40)/;
/** How far ahead a take may reserve (seconds of the rate, at least one token): the debt a caller that never sends can leave. */
export const RESERVE_AHEAD_SECONDS = 30;
const TAKERS_WINDOW = '5 minutes';
const HEARTBEAT_MS = 5_000;
const CLEANUP_MS = 3600_000;

/** Tokens now, refilled by the time since `refilled_at` (PostgreSQL's clock, the same for every replica), at most the capacity ($cap). */
const AVAILABLE = `least($cap, b.tokens + extract(epoch from greatest((select now from clock), b.refilled_at) - b.refilled_at) * b.rate * $restore)`;

const UPSERT_TAKE = `
  insert into amazon_quotas.buckets as b (bucket, tokens, refilled_at, rate)
  select $bucket, $cap - 1, now, $rate from clock
  on conflict (bucket) do update set tokens = ${AVAILABLE} - 1, refilled_at = greatest((select now from clock), b.refilled_at)`;

/**
 * Takes a token in ONE statement, whatever other processes do at the same moment: the row lock
 * orders them. The bucket may go below zero: a waiting caller reserves the next token and sleeps
 * until it is due (tokens -3: three callers are ahead), but no more than $ahead seconds of the
 * rate ahead (at least one token): past that nothing is taken (took false, the tokens there now)
 * and the caller sleeps until a reservation fits. New bucket: full, less the token taken.
 */
const TAKE_SQL = `
  with clock as (select clock_timestamp() as now),
  took as (${UPSERT_TAKE} where ${AVAILABLE} - 1 >= -greatest(1, b.rate * $restore * $ahead) returning tokens, rate)
  select tokens, rate, true as took from took
  union all
  select ${AVAILABLE}, b.rate, false from amazon_quotas.buckets b where b.bucket = $bucket and not exists (select from took)`;

/** The same, but only if a whole token is there now (nobody waiting): no row answered, nothing taken. */
const TRY_TAKE_SQL = `with clock as (select clock_timestamp() as now) ${UPSERT_TAKE} where ${AVAILABLE} >= 1 returning tokens, rate`;

const READ_SQL = `
  with clock as (select clock_timestamp() as now)
  select ${AVAILABLE} as tokens, b.rate from amazon_quotas.buckets b where b.bucket = $bucket`;

/** Back from pacing alone: the tokens this process took locally meanwhile ($spent), not in the row yet. */
const SPEND_SQL = `
  with clock as (select clock_timestamp() as now)
  insert into amazon_quotas.buckets as b (bucket, tokens, refilled_at, rate)
  select $bucket, $cap - $spent, now, $rate from clock
  on conflict (bucket) do update set tokens = ${AVAILABLE} - $spent, refilled_at = greatest((select now from clock), b.refilled_at)`;

/** A token taken for a call withdrawn before it went out. */
const GIVE_BACK_SQL = `
  with clock as (select clock_timestamp() as now)
  update amazon_quotas.buckets b set tokens = least($cap, ${AVAILABLE} + 1), refilled_at = greatest((select now from clock), b.refilled_at)
   where b.bucket = $bucket`;

/** After a 429: Amazon's bucket is empty. */
const DRAIN_SQL = `
  with clock as (select clock_timestamp() as now)
  insert into amazon_quotas.buckets as b (bucket, tokens, refilled_at, rate)
  select $bucket, 0, now, $rate from clock
  on conflict (bucket) do update set tokens = least(${AVAILABLE}, 0), refilled_at = greatest((select now from clock), b.refilled_at)`;

/** Tokens refilled at the old rate up to now, the new rate from now on. */
const SET_RATE_SQL = `
  with clock as (select clock_timestamp() as now)
  update amazon_quotas.buckets b set tokens = ${AVAILABLE}, refilled_at = greatest((select now from clock), b.refilled_at), rate = $rate
   where b.bucket = $bucket and b.rate <> $rate`;

const HEARTBEAT_SQL = `
  with seen as (
    insert into amazon_quotas.takers (taker, seen_at) values ($1, clock_timestamp())
    on conflict (taker) do update set seen_at = excluded.seen_at
  )
  select count(*)::int as others from amazon_quotas.takers where seen_at > clock_timestamp() - interval '${TAKERS_WINDOW}' and taker <> $1`;

/** A statement with named parameters, as pg's positional ones (each statement names only those it uses). */
const PARAMETERS = ['$bucket', '$cap', '$rate', '$restore', '$ahead', '$spent'] as const;
type Parameter = (typeof PARAMETERS)[number];
function statement(sql: string): { sql: string; uses: Parameter[] } {
  const uses = PARAMETERS.filter((name) => sql.includes(name));
  const text = uses.reduce((text, name, i) => text.replaceAll(name, `$${i + 1}::${name === '$bucket' ? 'text' : 'float8'}`), sql);
  return { sql: text, uses };
}
const STATEMENTS = {
  take: statement(TAKE_SQL),
  tryTake: statement(TRY_TAKE_SQL),
  read: statement(READ_SQL),
  drain: statement(DRAIN_SQL),
  spend: statement(SPEND_SQL),
  giveBack: statement(GIVE_BACK_SQL),
  setRate: statement(SET_RATE_SQL),
};
export type QuotaParameters = Partial<Record<Parameter, unknown>>;

/**
 * Amazon's quotas shared by every process that calls Amazon (each replica of order-ingestion and
 * amazon-notifications): one token bucket row per (seller, application, region, operation) in
 * PostgreSQL's amazon_quotas schema, taken with one atomic statement per call. When the store
 * does not answer, each process paces alone at a conservative share of each rate (1 / the
 * processes seen taking tokens lately, at least 2) starting from an empty bucket, says so in a log
 * line and `connector_amazon_quota_store_away`, and comes back to the shared buckets when the store
 * answers again (each bucket it paced alone drained first: those calls are not in the row).
 */
export class SharedQuotas extends AmazonQuotas {
  private readonly logger = new Logger('AmazonQuotas');
  /** This process in amazon_quotas.takers. */
  readonly taker = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private away = false;
  private generation = 0;
  private retryAt = 0;
  private probing = false;
  private heartbeatAt = 0;
  private cleanupAt = 0;
  /** Processes seen taking tokens lately, this one included (the last answer while the store was there). */
  private takers = 1;
  readonly scale: number;
  private readonly timeoutMs: number;
  readonly retryMs: number;

  constructor(
    private readonly db: QuotaStoreConnection,
    options: SharedQuotasOptions = {},
  ) {
    super();
    this.scale = options.scale ?? 1;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retryMs = options.retryMs ?? 5000;
    quotaStoreAway.set(0);
  }

  /** One per bucket in this process, whichever clients ask: its stand-in while the store is away paces the whole process. */
  private readonly quotas = new Map<string, SharedQuota>();

  quota(owner: QuotaOwner, operation: SpApiOperation): OperationQuota {
    const bucket = quotaBucketKey(owner, operation);
    let quota = this.quotas.get(bucket);
    if (!quota) this.quotas.set(bucket, (quota = new SharedQuota(this, bucket, operation)));
    return quota;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.end?.();
  }

  /** The share of each rate a process paces at while the store is away. */
  fallbackShare(): number {
    return 1 / Math.max(2, this.takers);
  }

  isAway(): boolean {
    return this.away;
  }

  /** Runs a statement on the store; undefined when the store is away (then only one call per retryMs tries it). */
  async run<T>(name: keyof typeof STATEMENTS, parameters: QuotaParameters): Promise<T[] | undefined> {
    let probe = false;
    if (this.away) {
      if (this.probing || Date.now() < this.retryAt) return undefined;
      this.probing = probe = true;
    }
    // Only statements started after the last change of state may change it again: a late answer (or
    // failure) of one started before does not make the state flap.
    const generation = this.generation;
    const startedAt = performance.now();
    try {
      const { sql, uses } = STATEMENTS[name];
      const rows = await withTimeout(
        this.db.query(
          sql,
          uses.map((parameter) => parameters[parameter]),
        ),
        this.timeoutMs,
      );
      quotaStoreDuration.observe({ statement: name }, (performance.now() - startedAt) / 1000);
      if (this.away && generation === this.generation) {
        this.away = false;
        this.generation++;
        quotaStoreAway.set(0);
        this.logger.log("Amazon's quotas are shared again: the store (PostgreSQL, amazon_quotas) answers");
      }
      this.keepAlive();
      return rows as T[];
    } catch (err) {
      this.retryAt = Date.now() + this.retryMs;
      if (!this.away && generation === this.generation) {
        this.away = true;
        this.generation++;
        quotaStoreAway.set(1);
        const message = `Amazon's quotas are paced by each process alone at 1/${Math.round(1 / this.fallbackShare())} of each rate: the store (PostgreSQL, amazon_quotas)`;
        const sqlState = (err as { code?: unknown }).code;
        if (typeof sqlState === 'string' && /^[0-9A-Z]{5}$/.test(sqlState) && !STORE_AWAY_STATES.test(sqlState)) {
          // Not the store away but a fault to fix (permission denied, a missing table: a partial upgrade).
          this.logger.error(`${message} refuses the statement: SQLSTATE ${sqlState} ${(err as Error).message}; tried again every ${this.retryMs / 1000} s`);
        } else {
          this.logger.warn(`${message} does not answer (${(err as Error).message}); tried again every ${this.retryMs / 1000} s`);
        }
      }
      return undefined;
    } finally {
      if (probe) this.probing = false;
    }
  }

  /** Says this process takes tokens, and learns how many do (the share while the store is away); prunes what is long idle. */
  private keepAlive(): void {
    const now = Date.now();
    if (now < this.heartbeatAt) return;
    this.heartbeatAt = now + HEARTBEAT_MS;
    void withTimeout(this.db.query(HEARTBEAT_SQL, [this.taker]), this.timeoutMs)
      .then((rows: { others: number }[]) => (this.takers = 1 + (rows[0]?.others ?? 0)))
      .catch(() => undefined);
    if (now < this.cleanupAt) return;
    this.cleanupAt = now + CLEANUP_MS;
    // A bucket idle for a day is full again (no rate is that slow): its row says nothing a new one would not.
    void withTimeout(
      this.db.query(
        `with gone as (delete from amazon_quotas.takers where seen_at < clock_timestamp() - interval '1 day')
         delete from amazon_quotas.buckets where refilled_at < clock_timestamp() - interval '1 day'`,
      ),
      this.timeoutMs * 5,
    ).catch(() => undefined);
  }
}

/** One operation's shared bucket as one client spends it, and its local stand-in while the store is away. */
class SharedQuota implements OperationQuota {
  /** Amazon's rate as this process last heard it, and as it last wrote it to the row. */
  private rate: number;
  private storedRate: number;
  private readonly burst: number;
  /** The bucket paced alone while the store was away, and the tokens taken from it not yet subtracted in the shared row. */
  private fallback?: TokenBucket;
  private takenAlone = 0;

  constructor(
    private readonly quotas: SharedQuotas,
    readonly bucket: string,
    private readonly operation: SpApiOperation,
  ) {
    this.rate = this.storedRate = OPERATION_LIMITS[operation].rate;
    this.burst = OPERATION_LIMITS[operation].burst;
  }

  async take(): Promise<number> {
    let waited = 0;
    for (;;) {
      const rows = (await this.backFromAlone()) ? await this.quotas.run<{ tokens: number; rate: number; took: boolean }>('take', this.parameters()) : undefined;
      if (rows?.[0]?.took) {
        const waitMs = this.msFor(-rows[0].tokens, rows[0].rate);
        if (waitMs > 0) await sleep(waitMs);
        return waited + waitMs;
      }
      if (rows?.[0]) {
        // Reserved as far ahead as may be: sleep until a reservation fits, then take again.
        const { tokens, rate } = rows[0];
        const waitMs = Math.max(1, this.msFor(1 - this.reserveLimit(rate) - tokens, rate));
        await sleep(waitMs);
        waited += waitMs;
        continue;
      }
      if (rows) continue; // the row was pruned between the two halves of the statement: take again
      // Alone, a caller waits for a local token but looks again at least every retryMs: once the store
      // answers, nobody goes on taking local tokens the shared bucket knows nothing of.
      const alone = this.alone();
      if (alone.tryTake()) {
        this.takenAlone++;
        quotaLocalTakes.inc({ operation: this.operation });
        return waited;
      }
      const waitMs = Math.min(Math.max(1, alone.msUntilTokens(1)), this.quotas.retryMs);
      await sleep(waitMs);
      waited += waitMs;
    }
  }

  async tryTake(): Promise<number> {
    const rows = (await this.backFromAlone()) ? await this.quotas.run<{ tokens: number }>('tryTake', this.parameters()) : undefined;
    if (!rows) {
      const alone = this.alone();
      if (!alone.tryTake()) return Math.max(1, alone.msUntilTokens(1));
      this.takenAlone++;
      quotaLocalTakes.inc({ operation: this.operation });
      return 0;
    }
    return rows.length ? 0 : Math.max(1, await this.msUntilTokens(1));
  }

  async msUntilTokens(count: number): Promise<number> {
    const rows = this.quotas.isAway() ? undefined : await this.quotas.run<{ tokens: number; rate: number }>('read', this.parameters());
    // Alone: what the local bucket would say, without making one (a question spends nothing).
    if (!rows) return (this.fallback ?? this.emptyShare()).msUntilTokens(count);
    const needed = Math.min(this.capacity(), Math.max(1, count));
    // No row: a full bucket nobody used yet.
    const tokens = rows[0]?.tokens ?? this.capacity();
    return tokens >= needed ? 0 : this.msFor(needed - tokens, rows[0]?.rate ?? this.rate);
  }

  setRate(rate: number): void {
    if (!Number.isFinite(rate) || rate <= 0 || rate === this.storedRate) return;
    this.rate = rate;
    this.fallback?.setRate(rate * this.quotas.fallbackShare());
    // Not waited for: takes read the rate from the row. Not written (store away): the next answer tries again.
    void this.quotas.run('setRate', this.parameters()).then((rows) => {
      if (rows) this.storedRate = rate;
    });
  }

  async drain(): Promise<void> {
    this.fallback?.drain();
    if (!this.quotas.isAway()) await this.quotas.run('drain', this.parameters());
  }

  async giveBack(): Promise<void> {
    if (this.takenAlone > 0 && this.fallback) {
      this.takenAlone--;
      this.fallback.giveBack();
      return;
    }
    if (!this.quotas.isAway()) await this.quotas.run('giveBack', this.parameters());
  }

  /**
   * False while the store is away. Back from pacing alone, the tokens taken locally meanwhile are
   * subtracted from the shared row first (they are not in it), and only those: the rest of the
   * shared bucket is every other process's.
   */
  private async backFromAlone(): Promise<boolean> {
    if (!this.fallback) return true;
    const spent = this.takenAlone;
    this.takenAlone = 0;
    if (!(await this.quotas.run('spend', { ...this.parameters(), $spent: spent }))) {
      this.takenAlone += spent;
      return false;
    }
    // Tokens taken alone while the answer was on its way are subtracted by the next call.
    if (this.takenAlone === 0) this.fallback = undefined;
    return true;
  }

  /** A share of the rate and burst, starting empty (the shared bucket may be spent). */
  private emptyShare(): TokenBucket {
    const share = this.quotas.fallbackShare();
    const bucket = new TokenBucket(this.rate * share, Math.max(1, Math.floor(this.burst * share)), this.quotas.scale);
    bucket.drain();
    return bucket;
  }

  /** How far below zero a take may reserve: RESERVE_AHEAD_SECONDS of the rate, at least one token. */
  private reserveLimit(rate: number): number {
    return Math.max(1, rate * this.quotas.scale * SAFETY_FACTOR * RESERVE_AHEAD_SECONDS);
  }

  /** The local bucket while the store is away. */
  private alone(): TokenBucket {
    this.fallback ??= this.emptyShare();
    return this.fallback;
  }

  /** One token short of Amazon's burst, as the local bucket (Amazon's clock starts when a call reaches it). */
  private capacity(): number {
    return Math.max(1, this.burst - 1);
  }

  private parameters(): QuotaParameters {
    return { $bucket: this.bucket, $cap: this.capacity(), $rate: this.rate, $restore: this.quotas.scale * SAFETY_FACTOR, $ahead: RESERVE_AHEAD_SECONDS };
  }

  /** How long `tokens` take to come back at the bucket's rate. */
  private msFor(tokens: number, rate: number): number {
    return tokens <= 0 ? 0 : Math.ceil((tokens / (rate * this.quotas.scale * SAFETY_FACTOR)) * 1000);
  }
}

/** The promise's answer, or a rejection after `ms` (a late answer is dropped, a late failure too). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
