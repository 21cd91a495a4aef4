import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** The gateway's schemas, as generated from apps/gateway/openapi.json (npm run openapi). */
export type Schemas = components['schemas'];
export type Order = Schemas['SalesOrderView'];
export type OrderDetails = Schemas['OrderDetailsView'];
export type OrderTimeline = Schemas['OrderTimelineView'];
export type Delivery = Schemas['DeliveryView'];
export type Notification = Schemas['NotificationView'];
export type QuarantinedOrder = Schemas['QuarantinedOrderView'];
export type Account = Schemas['AccountView'];
export type NewAccount = Schemas['CreateAccountRequest'];
export type SyncRun = Schemas['SyncRunView'];
export type Marketplace = Schemas['MarketplaceView'];
export type ParkedEvent = Schemas['ParkedEventView'];
export type ApiKey = Schemas['ApiKeyView'];
export type AuditEntry = Schemas['AuditEntryView'];
export type Caller = Schemas['CallerView'];
export type Problem = Schemas['ProblemDetails'];

const KEY_ITEM = 'connector.apiKey';

/** The API key lives in this tab's sessionStorage only: closing the tab forgets it. */
export const session = {
  key: (): string | null => sessionStorage.getItem(KEY_ITEM),
  signIn: (key: string) => sessionStorage.setItem(KEY_ITEM, key),
  signOut: () => sessionStorage.removeItem(KEY_ITEM),
};

/** Told when the gateway refuses the key (401): the console goes back to the sign-in page. */
let onUnauthorized: () => void = () => undefined;
export function whenKeyRefused(handler: () => void): void {
  onUnauthorized = handler;
}

const bearer: Middleware = {
  onRequest({ request }) {
    const key = session.key();
    if (key) request.headers.set('authorization', `Bearer ${key}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && session.key()) onUnauthorized();
    return response;
  },
};

/** Same origin: the gateway serves the console and the API. */
export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(bearer);

/** What went wrong with a call, in words: the gateway's detail, each failing field, the status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fields: { field: string; errors: string[] }[] = [],
  ) {
    super(`${detail} (${status} ${title})`);
  }
}

/** The answer's data, or an ApiError that says why there is none. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: Awaited<typeof call>;
  try {
    answer = await call;
  } catch (err) {
    throw new ApiError(0, 'No answer', `the gateway cannot be reached (${(err as Error).message})`);
  }
  const { data, error, response } = answer;
  if (response.ok) return data as T;
  throw problemOf(response, error);
}

export function problemOf(response: Response, error: unknown): ApiError {
  const problem = (typeof error === 'object' && error ? error : {}) as Partial<Problem>;
  const title = problem.title ?? response.statusText ?? 'Error';
  const detail =
    response.status === 401
      ? 'the gateway does not accept this API key'
      : response.status === 403
        ? `this API key may not do this: ${problem.detail ?? 'its scopes do not allow it'}`
        : (problem.detail ?? (typeof error === 'string' && error ? error : 'the gateway refused the request'));
  return new ApiError(response.status, title, detail, problem.details ?? []);
}

/** Pages of the API are read up to `max` items, to count them ("500+" beyond). */
export interface Counted {
  count: number;
  more: boolean;
}
export function counted(page: { items: unknown[]; nextCursor?: string }): Counted {
  return { count: page.items.length, more: Boolean(page.nextCursor) };
}
