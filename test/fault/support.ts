import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { faultFigures, InvariantChecker, InvariantReport, InvariantScope, RunningSystem, SandboxSeller, waitFor } from '@connector/testing';

/**
 * Settings of every fault case's system: Amazon's rate limits off (the suite is about faults, not
 * pacing; the system then stores about 1,400 orders/s), a short sync lease so a dead replica's
 * account is taken over within seconds, fast notification and feed polling.
 */
export const FAULT_SETTINGS: Record<string, string> = {
  SANDBOX_RATE_LIMITS: 'off',
  SPAPI_RATE_SCALE: '1000000',
  SYNC_TICK_SECONDS: '0.5',
  SYNC_LEASE_SECONDS: '10',
  NOTIFY_POLL_MS: '200',
  NOTIFY_CLAIM_SECONDS: '10',
  // The storm's confirmation faults end; a short back-off sends within the recovery time.
  NOTIFY_BACKOFF_BASE_MS: '200',
  NOTIFY_BACKOFF_MAX_MS: '5000',
  CANCEL_BATCH_WINDOW_MS: '1000',
  FEED_POLL_MS: '500',
};

/** How long a case waits for the system to heal after a fault before it fails. */
export const RECOVERY_TIMEOUT_MS = 90_000;

// A case strikes mid-sync, then waits up to RECOVERY_TIMEOUT_MS for the system to heal.
jest.setTimeout(240_000);

/** Where a failing fault leaves the processes' output (git-ignored), as evidence. */
const LOG_DIR = join(__dirname, 'logs');

let prefix = 0;

/** A sandbox seller in one EU marketplace with `count` generated orders (FBA and FBM, Amazon's mix of statuses). */
export async function sellerWithOrders(running: RunningSystem, sellerId: string, count: number, options: { fulfilledBy?: 'AMAZON' | 'MERCHANT' | 'MIXED'; statuses?: string[] } = {}): Promise<SandboxSeller & { orderIds: string[] }> {
  const seller: SandboxSeller = { sellerId, clientId: `${sellerId}-client`, clientSecret: `${sellerId}-secret`, refreshToken: `Atzr|${sellerId}`, marketplaceIds: ['A1PA6795UKMFR9'] };
  expect((await running.sandbox('POST', '/_sandbox/sellers', seller)).status).toBe(201);
  const orderIds: string[] = [];
  for (let made = 0; made < count; made += 5000) {
    // Order ids are unique across the sandbox: each batch its own leading digits.
    const generated = await running.sandbox('POST', `/_sandbox/sellers/${sellerId}/orders/generate`, {
      count: Math.min(5000, count - made),
      seed: `${sellerId}-${made}`,
      marketplaceIds: seller.marketplaceIds,
      fulfilledBy: options.fulfilledBy ?? 'MIXED',
      statuses: options.statuses,
      orderIdPrefix: String(100 + (prefix++ % 900)) + String(process.pid % 1000).padStart(3, '0'),
    });
    expect(generated.status).toBe(201);
    orderIds.push(...generated.body.orderIds);
  }
  return { ...seller, orderIds };
}

/**
 * Creates the connector account of a sandbox seller (its first sync starts at once). It syncs every
 * minute (the shortest interval allowed): a run cut short by a fault is followed by the next
 * scheduled one within the recovery time, with no one asking.
 */
export async function accountOf(running: RunningSystem, seller: SandboxSeller, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await running.createAccount(seller, 'EU', { syncIntervalSeconds: 60, ...extra });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** Sales orders stored for a seller so far (read from order-ingestion's schema). */
export async function storedOrders(running: RunningSystem, sellerId: string): Promise<number> {
  const [{ n }] = await running.env.query<{ n: number }>(
    `select count(*)::int as n from ingestion.sales_orders o join ingestion.seller_accounts a on a.id = o.account_id where a.seller_id = $1`,
    [sellerId],
  );
  return n;
}

/** Waits until a seller's sync has stored at least `count` orders: the moment to strike mid-sync. */
export async function untilStored(running: RunningSystem, sellerId: string, count: number, timeoutMs = 120_000): Promise<number> {
  return waitFor(async () => {
    const n = await storedOrders(running, sellerId);
    return n >= count ? n : undefined;
  }, { timeoutMs, intervalMs: 100, what: `${count} orders of ${sellerId} stored` });
}

/** Amazon answers searchOrders slowly, so a sync of a few thousand orders lasts long enough to strike in. */
export async function slowSearch(running: RunningSystem, sellerId: string, latencyMs: number): Promise<void> {
  expect((await running.sandbox('POST', '/_sandbox/faults', { operation: 'searchOrders', sellerId, latencyMs })).status).toBe(201);
}

export async function clearAmazonFaults(running: RunningSystem): Promise<void> {
  expect((await running.sandbox('DELETE', '/_sandbox/faults')).status).toBe(200);
}

/**
 * Validates up to `count` ready deliveries of a seller through the gateway, all at once, one tracking
 * number each; answers how many the gateway took (a request refused or cut by a fault is not counted).
 */
export async function validateDeliveries(running: RunningSystem, sellerId: string, count: number, tag: string): Promise<number> {
  const ready = await running.env.query<{ id: string }>(
    `select d.id from inventory.deliveries d join ingestion.seller_accounts a on a.id = d.account_id
      where a.seller_id = $1 and d.state = 'ready' order by d.created_at limit $2`,
    [sellerId, count],
  );
  const answers = await Promise.all(
    ready.map(({ id }, i) => running.api('POST', `/api/v1/deliveries/${id}/validate`, { carrierCode: 'DHL', trackingNumber: `${tag}-${i}` }).catch(() => ({ status: 0 }))),
  );
  return answers.filter((answer) => answer.status === 200).length;
}

/**
 * Ends a fault: waits until every invariant holds, records the figures (also when they never
 * hold) and fails the test then with the violations left standing.
 */
export async function expectHealed(running: RunningSystem, figure: { case: string; fault: string; faultsInjected: number }, scope: InvariantScope, faultEndedAt: number, timeoutMs = RECOVERY_TIMEOUT_MS): Promise<InvariantReport> {
  const checker = new InvariantChecker(running);
  try {
    const { report, recoveryMs } = await checker.waitUntilHeld(scope, faultEndedAt, timeoutMs);
    faultFigures.fromReport(figure, { report, recoveryMs });
    return report;
  } catch (err) {
    faultFigures.fromReport(figure, { report: (err as { report?: InvariantReport }).report, error: err as Error });
    mkdirSync(LOG_DIR, { recursive: true });
    const file = join(LOG_DIR, `${`${figure.case} ${figure.fault}`.replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase()}.log`);
    writeFileSync(file, `${running.output.join('\n')}\n`);
    throw new Error(`${(err as Error).message}\n(the processes' output: ${file})`);
  }
}

/** Lines of the processes' output that match, for a failing case's evidence. */
export function evidence(running: RunningSystem, pattern: RegExp, max = 10): string {
  return running.output.filter((line) => pattern.test(line)).slice(-max).join('\n');
}
