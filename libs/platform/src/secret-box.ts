import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes, scryptSync } from 'node:crypto';

/** GCM's full 128-bit tag, pinned on both sides so a truncated tag is refused. */
const TAG_BYTES = 16;
const IV_BYTES = 12;
/** Fixed salt: a passphrase key is per installation, and its stretching must give the same key in every service. */
const SCRYPT_SALT = 'amazon-order-connector/credentials/v2';

interface SealingKey {
  id: string;
  key: Buffer;
  /** The key of the v1 format (SHA-256 of the passphrase), to open what was sealed before v2. */
  legacyKey?: Buffer;
}

export class SecretBoxError extends Error {}

/**
 * Encrypts secrets at rest with AES-256-GCM. Each sealed value is bound to where it is kept
 * (its `context`, e.g. `seller_accounts/<id>/refreshToken`, as associated data), so a value
 * copied into another row or field does not open.
 *
 * Keys: a comma-separated list; the first seals, every one opens (key rotation: put the new
 * key first, run the re-encryption command, then drop the old one). A key is either
 * `base64:<32 bytes in base64>` or a passphrase of at least 16 characters, stretched with scrypt.
 *
 * Stored form: `v2:<key id>:<iv>:<tag>:<ciphertext>` (base64). `v1:<iv>:<tag>:<ciphertext>`
 * (SHA-256 of a passphrase, no associated data) is still opened, and re-sealed by rotation.
 */
export class SecretBox {
  /** A Nest provider of this box (or of a subclass, by its own type) for `keys`. */
  static provider<T extends SecretBox>(this: new (keys: string) => T, keys: string): { provide: new (keys: string) => T; useValue: T } {
    return { provide: this, useValue: new this(keys) };
  }

  private readonly keys: SealingKey[];

  constructor(keys: string) {
    const parts = String(keys ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    if (!parts.length) throw new SecretBoxError('CREDENTIALS_KEY must name at least one key');
    this.keys = parts.map(derivedKey);
  }

  /** The id of the key that seals: not secret, it names the key in stored values. */
  get currentKeyId(): string {
    return this.keys[0].id;
  }

  encrypt(plain: string, context: string): string {
    const { id, key } = this.keys[0];
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v2', id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  decrypt(sealed: string, context: string): string {
    const parts = String(sealed ?? '').split(':');
    if (parts[0] === 'v1' && parts.length === 4) return this.openLegacy(parts);
    if (parts[0] !== 'v2' || parts.length !== 5) throw new SecretBoxError('not a sealed secret');
    const [, keyId, iv, tag, data] = parts;
    const found = this.keys.find((k) => k.id === keyId);
    if (!found) throw new SecretBoxError(`sealed with key ${keyId}, which CREDENTIALS_KEY does not hold`);
    return open(found.key, iv, tag, data, context);
  }

  /** Whether a stored value should be sealed again with the current key (rotation, or the v1 format). */
  needsResealing(sealed: string): boolean {
    const [version, keyId] = String(sealed ?? '').split(':');
    return version !== 'v2' || keyId !== this.currentKeyId;
  }

  private openLegacy([, iv, tag, data]: string[]): string {
    for (const { legacyKey } of this.keys) {
      if (!legacyKey) continue;
      try {
        return open(legacyKey, iv, tag, data);
      } catch {
        /* another key's */
      }
    }
    throw new SecretBoxError('a v1 sealed secret that no key in CREDENTIALS_KEY opens');
  }
}

function open(key: Buffer, iv: string, tag: string, data: string, context?: string): string {
  const authTag = Buffer.from(tag, 'base64');
  if (authTag.length !== TAG_BYTES) throw new SecretBoxError('sealed secret has a truncated tag');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
  if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(authTag);
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretBoxError('sealed secret does not open: another key, another record, or tampered');
  }
}

/** scrypt is slow on purpose: the settings check and the services' boxes derive each key once. */
const derived = new Map<string, SealingKey>();
function derivedKey(text: string): SealingKey {
  let key = derived.get(text);
  if (!key) derived.set(text, (key = parseKey(text)));
  return key;
}

function parseKey(text: string): SealingKey {
  let key: Buffer;
  let legacyKey: Buffer | undefined;
  if (text.startsWith('base64:')) {
    key = Buffer.from(text.slice('base64:'.length), 'base64');
    if (key.length !== 32) throw new SecretBoxError('a base64: key in CREDENTIALS_KEY must be 32 bytes (openssl rand -base64 32)');
  } else {
    if (text.length < 16) throw new SecretBoxError('CREDENTIALS_KEY must be at least 16 characters (or base64:<32 bytes>)');
    key = scryptSync(text, SCRYPT_SALT, 32);
    legacyKey = createHash('sha256').update(text).digest();
  }
  const id = createHmac('sha256', key).update('key id').digest('hex').slice(0, 8);
  return { id, key, legacyKey };
}

/** Where an account secret is kept: the associated data it is sealed with. */
export function accountSecretContext(accountId: string, field: 'clientSecret' | 'refreshToken'): string {
  return `seller_accounts/${accountId}/${field}`;
}

/**
 * The box of CREDENTIALS_TRANSIT_KEY, shared by the gateway and order-ingestion: the gateway
 * seals account secrets with it before they go onto NATS, order-ingestion opens them.
 * A class of its own so either service injects it by type, beside its at-rest SecretBox.
 */
export class TransitSecrets extends SecretBox {}
