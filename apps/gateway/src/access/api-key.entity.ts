import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A named API key. Only its SHA-256 is kept: the key itself is shown once, when it is made. */
@Entity({ name: 'api_keys' })
export class ApiKey {
  @PrimaryColumn('uuid') id: string;
  @Column('text') name: string;
  /** Hex SHA-256 of the key (keys are 256 random bits, so no salt or slow hash is needed). */
  @Column('text') keyHash: string;
  /** The key's first characters, to recognise it in a list. */
  @Column('text') keyPrefix: string;
  @Column('text', { array: true }) scopes: string[];
  /** Null: every account. */
  @Column('uuid', { array: true, nullable: true }) accountIds: string[] | null;
  /** The key that made it (`environment` for a key of GATEWAY_API_KEYS). */
  @Column('text') createdBy: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt: Date;
  @Column('timestamptz', { nullable: true }) revokedAt: Date | null;
}
