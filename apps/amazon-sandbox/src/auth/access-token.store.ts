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
  /** The LWA client (application) the token was issued to. */
  clientId?: string;
  /** Set for a grantless token (client_credentials): its scope; such a token stands for the application, not a seller. */
  grantlessScope?: string;
}

/** LWA access tokens issued by the sandbox; each identifies one seller until it expires on the sandbox clock. */
@Injectable()
export class AccessTokenStore {
  private readonly tokens = new Map<string, IssuedToken>();

  constructor(private readonly clock: SandboxClock) {}

  reset(): void {
    this.tokens.clear();
  }

  issue(sellerId: string, clientId?: string): string {
    // Same prefix as real LWA tokens so log scrubbers that look for it keep working.
    const token = `Atza|${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { sellerId, clientId, expiresAtMs: this.clock.nowMs() + ACCESS_TOKEN_TTL_SECONDS * 1000 });
    return token;
  }

  /** A grantless token (LWA client_credentials): the application's own, for grantless operations in its scope. Metered as `app:<clientId>`. */
  issueGrantless(clientId: string, scope: string): string {
    const token = `Atc|${randomBytes(24).toString('base64url')}`;
    this.tokens.set(token, { sellerId: `app:${clientId}`, clientId, grantlessScope: scope, expiresAtMs: this.clock.nowMs() + ACCESS_TOKEN_TTL_SECONDS * 1000 });
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
