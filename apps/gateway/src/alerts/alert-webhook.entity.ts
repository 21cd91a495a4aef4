import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Where alerts go: a URL, the kinds it asked for, optionally some accounts. Either an API key's
 * (alerts of the accounts that key may see, while it is not revoked) or global (made by an admin
 * key of every account: every alert).
 */
@Entity({ name: 'alert_webhooks' })
export class AlertWebhook {
  @PrimaryColumn('uuid') id: string;
  @Column('text') url: string;
  /** Alert kinds it receives (an episode kind brings its `.resolved` too). */
  @Column('text', { array: true }) kinds: string[];
  /** Only alerts of these accounts (and none without an account); null: every account it may see. */
  @Column('uuid', { array: true, nullable: true }) accountIds: string[] | null;
  /** The key it belongs to; null: global. */
  @Column('uuid', { nullable: true }) apiKeyId: string | null;
  /** The HMAC secret of its signatures, sealed (SecretBox, WEBHOOK_SECRETS_KEY): shown once, when it is made. */
  @Column('text') encryptedSecret: string;
  /** The key that made it (`environment` for a key of GATEWAY_API_KEYS). */
  @Column('text') createdBy: string;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
  @Column('timestamptz', { nullable: true }) deletedAt: Date | null;
}
