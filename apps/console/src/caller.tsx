import { createContext, useContext } from 'react';
import type { Caller } from './api/client';

export type Scope = Caller['scopes'][number];

/** What the signed-in key may do, read once after sign-in (GET /api/v1/access/me). */
export interface Allowed {
  caller: Caller | undefined;
  /** The key has this scope (gateway scopes do not imply one another: see apps/gateway/src/access/scopes.ts). */
  may: (scope: Scope) => boolean;
  /** The key is limited to some seller accounts: routes of no account (keys, parked events, stock) refuse it. */
  limited: boolean;
}

export function allowedFor(caller: Caller | undefined): Allowed {
  // Not read (yet): offer everything and let the gateway say no, rather than hide what may be allowed.
  if (!caller) return { caller, may: () => true, limited: false };
  return { caller, may: (scope) => caller.scopes.includes(scope), limited: caller.accountIds !== null };
}

export const AllowedContext = createContext<Allowed>(allowedFor(undefined));

export const useAllowed = (): Allowed => useContext(AllowedContext);
