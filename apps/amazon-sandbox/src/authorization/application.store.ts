import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SandboxClock } from '../store/sandbox-clock';

/** A registered SP-API application (Developer Central): its LWA credentials and OAuth redirect URIs. */
export interface Application {
  applicationId: string;
  clientId: string;
  clientSecret: string;
  /** The app's OAuth redirect URIs; the consent goes back to one of them only. */
  redirectUris: string[];
  /** A draft app (not published on the Appstore) is authorized only with `version=beta`. */
  draft: boolean;
}

/** An `spapi_oauth_code`: what a seller's consent gave, good once for five minutes. */
interface AuthorizationCode {
  applicationId: string;
  sellerId: string;
  redirectUri: string;
  expiresAtMs: number;
}

/** A refresh token a seller's consent gave an application (the seller's own self-authorized token is on the Seller). */
export interface Grant {
  sellerId: string;
  applicationId: string;
  clientId: string;
  issuedAt: string;
}

/** Amazon's authorization codes expire after five minutes. */
export const AUTHORIZATION_CODE_TTL_MS = 5 * 60_000;

/** What Amazon keeps of the website authorization workflow: applications, codes and the refresh tokens they became. */
@Injectable()
export class ApplicationStore {
  private readonly applications = new Map<string, Application>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly grants = new Map<string, Grant>();

  constructor(private readonly clock: SandboxClock) {}

  reset(): void {
    this.applications.clear();
    this.codes.clear();
    this.grants.clear();
  }

  upsert(application: Application): Application {
    const stored = { ...application, redirectUris: [...application.redirectUris] };
    this.applications.set(application.applicationId, stored);
    return stored;
  }

  get(applicationId: string): Application | undefined {
    return this.applications.get(applicationId);
  }

  all(): Application[] {
    return [...this.applications.values()];
  }

  issueCode(applicationId: string, sellerId: string, redirectUri: string): string {
    const code = `ANaR${randomBytes(15).toString('base64url')}`;
    this.codes.set(code, { applicationId, sellerId, redirectUri, expiresAtMs: this.clock.nowMs() + AUTHORIZATION_CODE_TTL_MS });
    return code;
  }

  /** The code's grant if it is known and unexpired; it is used up only by redeem(). */
  findCode(code: string): AuthorizationCode | undefined {
    const found = this.codes.get(code);
    if (found && found.expiresAtMs <= this.clock.nowMs()) {
      this.codes.delete(code);
      return undefined;
    }
    return found;
  }

  /** Uses the code up and gives the application a new refresh token for the seller (earlier ones stay good, as at Amazon). */
  redeem(code: string): { refreshToken: string; grant: Grant } {
    const found = this.codes.get(code)!;
    this.codes.delete(code);
    const application = this.applications.get(found.applicationId)!;
    const refreshToken = `Atzr|${randomBytes(32).toString('base64url')}`;
    const grant: Grant = { sellerId: found.sellerId, applicationId: application.applicationId, clientId: application.clientId, issuedAt: this.clock.now().toISOString() };
    this.grants.set(refreshToken, grant);
    return { refreshToken, grant };
  }

  grantOf(refreshToken: string): Grant | undefined {
    return this.grants.get(refreshToken);
  }

  applicationOfClient(clientId: string): Application | undefined {
    for (const application of this.applications.values()) if (application.clientId === clientId) return application;
    return undefined;
  }

  /** The grants given so far (never their tokens), for the control API. */
  grantsOf(sellerId?: string): Grant[] {
    return [...this.grants.values()].filter((g) => !sellerId || g.sellerId === sellerId);
  }
}
