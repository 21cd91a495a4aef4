import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One change made through the API: who, when, what (never a secret), and how it ended. */
@Entity({ name: 'audit_log' })
export class AuditEntry {
  @PrimaryColumn('uuid') id: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  /** The key's id, or null for a key of GATEWAY_API_KEYS. */
  @Column('uuid', { nullable: true }) keyId: string | null;
  @Column('text') keyName: string;
  @Column('text') method: string;
  /** The path without its query. */
  @Column('text') path: string;
  /** The route, e.g. `PATCH /api/accounts/:id`. */
  @Column('text') action: string;
  @Column('int') status: number;
  /** The request body with every secret replaced by "[redacted]". */
  @Column('jsonb', { nullable: true }) changes: unknown;
}
