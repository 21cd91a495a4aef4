import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One pass over an account's changed orders, with what it saw and did. */
@Entity({ name: 'sync_runs' })
export class SyncRun {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') accountId: string;
  @Column('text') trigger: 'schedule' | 'manual';
  @Column('text') status: 'running' | 'succeeded' | 'failed';
  @Column('text') replica: string;
  @Column({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @Column('timestamptz', { nullable: true }) finishedAt: Date | null;
  /** When the run last committed a page (null: none yet). */
  @Column('timestamptz', { nullable: true }) progressedAt: Date | null;
  @Column('timestamptz') windowFrom: Date;
  @Column('timestamptz', { nullable: true }) windowTo: Date | null;
  @Column('int') ordersSeen: number;
  @Column('int') ordersCreated: number;
  @Column('int') ordersUpdated: number;
  @Column('int') ordersUnchanged: number;
  @Column('int') ordersQuarantined: number;
  @Column('int') apiCalls: number;
  @Column('int') throttled: number;
  @Column('jsonb') errors: string[];
}
