import { SetMetadata } from '@nestjs/common';

/**
 * What an API key may do. `read` sees; `operate` does the daily work (sync, validate, cancel,
 * retry, stock and catalogue changes); `admin` changes accounts, marketplaces and keys and reads
 * the audit log. A scope does not imply another: a key names each it has.
 */
export enum ApiScope {
  Read = 'read',
  Operate = 'operate',
  Admin = 'admin',
}
export const API_SCOPES = Object.values(ApiScope);

export const REQUIRED_SCOPE = 'gateway:scope';
/** The scope a route needs (`any`: every valid key); without it, GET needs `read` and anything else `admin`. */
export const RequiresScope = (scope: ApiScope | 'any') => SetMetadata(REQUIRED_SCOPE, scope);

/**
 * How a route names the seller account it touches, for keys limited to some accounts:
 * - `param`: the route's `:id` is the account;
 * - `query`: a list filtered by `?accountId=` (a limited key must give it);
 * - `body`: an action on what matches a filter with `accountId` in the JSON body (same);
 * - `none`: data of no account (catalogue, marketplaces): open to limited keys too;
 * - `own`: a list across accounts; `?accountId=`, when given, must be one of a limited key's
 *   accounts, and without it the route lists only the key's accounts (it passes them on).
 * A route with none of these (or a resolver, see AccountOfResource) is refused to limited keys.
 */
export const ACCOUNT_FROM = 'gateway:account-from';
export type AccountFrom = 'param' | 'query' | 'body' | 'none' | 'own' | { resource: 'order' | 'delivery' | 'notification' | 'offer' };
export const AccountFrom = (from: AccountFrom) => SetMetadata(ACCOUNT_FROM, from);
