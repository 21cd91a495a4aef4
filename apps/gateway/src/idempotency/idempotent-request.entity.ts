import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A POST sent with an `Idempotency-Key`: what it was (a fingerprint) and, once it ended, its answer. */
@Entity({ name: 'idempotent_requests' })
export class IdempotentRequest {
  /** Who sent it: the API key's id, or `environment:<SHA-256>` for a key of GATEWAY_API_KEYS. */
  @PrimaryColumn('text') caller: string;
  @PrimaryColumn('text') idempotencyKey: string;
  /** SHA-256 of method, path and body: the same key with another request is refused. */
  @Column('text') fingerprint: string;
  /** Who holds the claim: a request that took too long and lost it cannot write over its successor's record. */
  @Column('uuid') claimToken: string;
  /** Null while the first request is still running. */
  @Column('int', { nullable: true }) status: number | null;
  /** The answer's body (a problem document for a 4xx). */
  @Column('jsonb', { nullable: true }) response: unknown;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
}
