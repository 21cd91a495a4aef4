import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SandboxClock } from '../store/sandbox-clock';
import type { RestrictedResource } from '../tokens/restricted-resources';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

export interface IssuedToken {
  sellerId: string;
  expiresAtMs: number;
  /** Set for a restricted data token: the only resources it may be used for (with their PII). */
  restrictedResources?: RestrictedResource[];
}

/** LWA access tokens issued by the sandbox; each identifies one seller until it expires on the sandbox clock. */
@Injectable()
export class AccessTokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly clock: SandboxClock) {}

  reset(): void {
    this.tokens.clear();
  }

  issue(sellerId: string): string {
    // Same prefix as real LWA tokens so log scrubbers that look for it keep working.
    const token = `Atza|${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { sellerId, expiresAtMs: this.clock.nowMs() + ACCESS_TOKEN_TTL_SECONDS * 1000 });
    return token;
  }

  issueRestricted(sellerId: string, restrictedResources: RestrictedResource[], ttlSeconds: number): string {
    const token = `Atz.sprdt|${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { sellerId, restrictedResources, expiresAtMs: this.clock.nowMs() + ttlSeconds * 1000 });
    return token;
  }

  /** The token's grant, or undefined when unknown or expired. */
  resolve(token: string | undefined): IssuedToken | undefined {
    if (!token) return undefined;
    const issued = this.tokens.get(token);
    if (!issued) return undefined;
    if (issued.expiresAtMs <= this.clock.nowMs()) {
      this.tokens.delete(token);
      return undefined;
    }
    return issued;
  }
}
