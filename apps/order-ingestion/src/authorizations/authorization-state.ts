import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The `state` of a consent: `<authorization id>.<expiry, unix seconds>.<HMAC-SHA256>`, so a state
 * Amazon hands back is known ours (and unexpired) before the database is asked. Single use is
 * the database's part (the authorization row is used once).
 */
export class AuthorizationStateSigner {
  private readonly keys: Buffer[];

  /** @param keys AUTHORIZATION_STATE_KEY: comma-separated, the first signs, every one verifies (rotation). */
  constructor(keys: string) {
    this.keys = keys
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean)
      .map(hmacKey);
    if (!this.keys.length) throw new Error('AUTHORIZATION_STATE_KEY must name at least one key');
  }

  sign(authorizationId: string, expiresAt: Date): string {
    const payload = `${authorizationId}.${Math.floor(expiresAt.getTime() / 1000)}`;
    return `${payload}.${mac(this.keys[0], payload)}`;
  }

  /** The authorization a state names, or why it is refused (nothing of it is trusted until then). */
  verify(state: string, now = new Date()): { authorizationId: string; expiresAt: Date } | { refused: 'malformed' | 'signature' | 'expired' } {
    const match = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(state);
    if (!match) return { refused: 'malformed' };
    const [, authorizationId, expiry, given] = match;
    const payload = `${authorizationId}.${expiry}`;
    const givenBytes = Buffer.from(given, 'base64url');
    const signed = this.keys.some((key) => {
      const expected = Buffer.from(mac(key, payload), 'base64url');
      return expected.length === givenBytes.length && timingSafeEqual(expected, givenBytes);
    });
    if (!signed) return { refused: 'signature' };
    const expiresAt = new Date(Number(expiry) * 1000);
    if (expiresAt.getTime() <= now.getTime()) return { refused: 'expired' };
    return { authorizationId, expiresAt };
  }
}

function mac(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(`authorization-state/v1/${payload}`).digest('base64url');
}

/** `base64:<32 bytes>` as given; a passphrase through SHA-256 (HMAC needs no stretching for a 16+ character secret of the operator's). */
function hmacKey(text: string): Buffer {
  if (text.startsWith('base64:')) return Buffer.from(text.slice('base64:'.length), 'base64');
  return createHash('sha256').update(`authorization-state-key/${text}`).digest();
}
