import { SyncRunStatus, SyncTrigger } from '@connector/contracts';
import { newRowId } from '@connector/persistence';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One pass over an account's changed orders, with what it saw and did. A requested sync is
 * reserved as `queued` (no replica, no window yet) and becomes `running` when a replica takes the
 * account; its counts are written as it goes (page by page, and every few seconds while it waits).
 */
@Entity({ name: 'sync_runs' })
export class SyncRun {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') trigger: SyncTrigger;
  @Column('text') status: SyncRunStatus;
  /** The replica running it (null while queued). */
  @Column('text', { nullable: true }) replica: string | null;
  /** When it was requested (queued) or, for a scheduled run, started. */
  @Column({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  /** The correlation id of the request that asked for it (a manual run): its log lines lead here. Null for a scheduled run. */
  @Column('text', { nullable: true }) requestCorrelationId: string | null;
  @Column({ type: 'timestamptz', precision: 3, nullable: true }) startedAt: Date | null;
  @Column('timestamptz', { nullable: true }) finishedAt: Date | null;
  /** When the run last committed a page (null: none yet). */
  @Column('timestamptz', { nullable: true }) progressedAt: Date | null;
  @Column('timestamptz', { nullable: true }) windowFrom: Date | null;
  @Column('timestamptz', { nullable: true }) windowTo: Date | null;
  @Column('int') pagesFetched: number;
  @Column('int') pagesCommitted: number;
  @Column('int') ordersSeen: number;
  @Column('int') ordersCreated: number;
  @Column('int') ordersUpdated: number;
  @Column('int') ordersUnchanged: number;
  @Column('int') ordersQuarantined: number;
  @Column('int') apiCalls: number;
  @Column('int') throttled: number;
  /** Calls held back by rate limits (our token bucket, Amazon's Retry-After), and how long in all. */
  @Column('int') rateLimitWaits: number;
  @Column('bigint', { transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) } }) rateLimitWaitMs: number;
  /** What a running run is doing now ("fetch page 3, commit page 2"); null once it ended. */
  @Column('text', { nullable: true }) step: string | null;
  @Column('jsonb') errors: string[];
}

/**
 * A run not started yet: reserved as `queued` (a request) or about to be taken by the replica that
 * starts it (a scheduled run), with every count at zero.
 */
export function newSyncRun(fields: Pick<SyncRun, 'accountId' | 'trigger' | 'createdAt' | 'requestCorrelationId'>): SyncRun {
  return {
    id: newRowId(),
    ...fields,
    status: 'queued',
    replica: null,
    startedAt: null,
    finishedAt: null,
    progressedAt: null,
    windowFrom: null,
    windowTo: null,
    pagesFetched: 0,
    pagesCommitted: 0,
    ordersSeen: 0,
    ordersCreated: 0,
    ordersUpdated: 0,
    ordersUnchanged: 0,
    ordersQuarantined: 0,
    apiCalls: 0,
    throttled: 0,
    rateLimitWaits: 0,
    rateLimitWaitMs: 0,
    step: null,
    errors: [],
  };
}
