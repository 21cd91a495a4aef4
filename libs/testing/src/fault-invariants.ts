import { waitFor } from '@connector/test-environment';
import type { RunningSystem } from './running-system';

/** What one fault case checks: the sandbox sellers whose orders it synced, and what it broke on purpose. */
export interface InvariantScope {
  sellerIds: string[];
  /** Orders the sandbox serves malformed: each must be quarantined (unresolved) and not stored. */
  malformedOrderIds?: string[];
}

/** The state of the system against the invariants of the fault suite; `violations` empty when they hold. */
export interface InvariantReport {
  violations: string[];
  /** Orders of the sellers at Amazon, whatever their status. */
  atAmazon: number;
  /** Orders at Amazon that must be stored (syncable, not malformed). */
  syncable: number;
  stored: number;
  /** Syncable orders not stored, FBA lines without their stock move, open FBM orders without a delivery, validated packages Amazon never got. */
  lost: number;
  /** Orders stored twice or not at Amazon, FBA lines with two moves, a second delivery, a second shipment record at Amazon. */
  duplicates: number;
  /** Packages Amazon was told about more than once (its confirmShipment is idempotent per package: not a duplicate shipment). */
  resent: number;
  validatedPackages: number;
}

const FBA_SYNCED = ['SHIPPED'];
const FBM_SYNCED = ['UNSHIPPED', 'PARTIALLY_SHIPPED', 'SHIPPED'];

interface SandboxOrder {
  orderId: string;
  fulfilledBy: string;
  fulfillmentStatus: string;
}

interface ShipmentRecord {
  orderId: string;
  packageReferenceId: string;
  packageDetail: { trackingNumber?: string };
  count: number;
}

/**
 * The one check every fault case ends with, reading the services' schemas and the sandbox:
 * every syncable order stored exactly once, every FBA line exactly one stock move, every open FBM
 * order exactly one delivery, every validated package confirmed to Amazon (one shipment each),
 * malformed orders quarantined, nothing parked, every outbox drained, health green, and no
 * unhandled rejection in any process's output.
 */
export class InvariantChecker {
  constructor(private readonly running: RunningSystem) {}

  async check(scope: InvariantScope): Promise<InvariantReport> {
    const violations: string[] = [];
    const sellers = scope.sellerIds;
    const malformed = new Set(scope.malformedOrderIds ?? []);
    const q = <T>(sql: string, params: unknown[] = []) => this.running.env.query<T>(sql, params);

    // Orders: Amazon's syncable ones against the sales orders.
    const atAmazon: SandboxOrder[] = [];
    for (const sellerId of sellers) atAmazon.push(...((await this.running.sandbox('GET', `/_sandbox/sellers/${sellerId}/orders`)).body.orders as SandboxOrder[]));
    const required = atAmazon.filter((o) => !malformed.has(o.orderId) && (o.fulfilledBy === 'AMAZON' ? FBA_SYNCED : FBM_SYNCED).includes(o.fulfillmentStatus));
    const known = new Set(atAmazon.map((o) => o.orderId));
    const storedRows = await q<{ amazon_order_id: string; n: number }>(
      `select o.amazon_order_id, count(*)::int as n from ingestion.sales_orders o join ingestion.seller_accounts a on a.id = o.account_id
        where a.seller_id = any($1) group by o.amazon_order_id`,
      [sellers],
    );
    const stored = new Map(storedRows.map((r) => [r.amazon_order_id, r.n]));
    const missing = required.filter((o) => !stored.has(o.orderId));
    const doubled = storedRows.filter((r) => r.n > 1);
    const phantoms = storedRows.filter((r) => !known.has(r.amazon_order_id));
    if (missing.length) violations.push(`${missing.length} syncable orders not stored (e.g. ${missing.slice(0, 3).map((o) => o.orderId).join(', ')})`);
    if (doubled.length) violations.push(`${doubled.length} orders stored more than once (e.g. ${doubled[0].amazon_order_id})`);
    if (phantoms.length) violations.push(`${phantoms.length} stored orders Amazon does not have`);
    const storedMalformed = [...malformed].filter((id) => stored.has(id));
    if (storedMalformed.length) violations.push(`${storedMalformed.length} malformed orders stored`);

    // FBA: one done stock move per product line of a shipped order.
    const [fba] = await q<{ without: number; doubled: number }>(
      `select count(*) filter (where n = 0)::int as without, coalesce(sum(n - 1) filter (where n > 1), 0)::int as doubled from (
         select l.id, count(m.id) as n from ingestion.sales_order_lines l
           join ingestion.sales_orders o on o.id = l.order_id
           join ingestion.seller_accounts a on a.id = o.account_id
           left join inventory.stock_moves m on m.order_line_id = l.id and m.reason = 'fba_sale'
          where a.seller_id = any($1) and o.channel = 'FBA' and o.status = 'shipped' and l.kind = 'product'
          group by l.id) lines`,
      [sellers],
    );
    if (fba.without) violations.push(`${fba.without} FBA lines without their stock move`);
    if (fba.doubled) violations.push(`${fba.doubled} extra FBA stock moves`);

    // FBM: one delivery (its first package) per open order.
    const [fbm] = await q<{ without: number; doubled: number }>(
      `select count(*) filter (where n = 0)::int as without, coalesce(sum(n - 1) filter (where n > 1), 0)::int as doubled from (
         select o.id, count(d.id) as n from ingestion.sales_orders o
           join ingestion.seller_accounts a on a.id = o.account_id
           left join inventory.deliveries d on d.order_id = o.id and d.backorder_of_id is null
          where a.seller_id = any($1) and o.channel = 'FBM' and o.status in ('confirmed', 'partially_shipped')
          group by o.id) open_orders`,
      [sellers],
    );
    if (fbm.without) violations.push(`${fbm.without} open FBM orders without a delivery`);
    if (fbm.doubled) violations.push(`${fbm.doubled} extra FBM deliveries`);

    // Validated packages: Amazon holds one shipment each, and the notification says sent.
    const validated = await q<{ amazon_order_id: string; tracking_number: string }>(
      `select d.amazon_order_id, d.tracking_number from inventory.deliveries d join ingestion.seller_accounts a on a.id = d.account_id
        where a.seller_id = any($1) and d.state = 'done' and d.tracking_number is not null`,
      [sellers],
    );
    const shipments: ShipmentRecord[] = [];
    for (const sellerId of sellers) shipments.push(...((await this.running.sandbox('GET', `/_sandbox/shipments?sellerId=${sellerId}`)).body.shipments as ShipmentRecord[]));
    const unconfirmed = validated.filter((d) => !shipments.some((s) => s.orderId === d.amazon_order_id && s.packageDetail?.trackingNumber === d.tracking_number));
    const shipmentsPerOrder = new Map<string, number>();
    for (const s of shipments) shipmentsPerOrder.set(s.orderId, (shipmentsPerOrder.get(s.orderId) ?? 0) + 1);
    const packagesPerOrder = new Map<string, number>();
    for (const d of validated) packagesPerOrder.set(d.amazon_order_id, (packagesPerOrder.get(d.amazon_order_id) ?? 0) + 1);
    const extraShipments = [...shipmentsPerOrder].reduce((n, [orderId, count]) => n + Math.max(0, count - (packagesPerOrder.get(orderId) ?? 0)), 0);
    if (unconfirmed.length) violations.push(`${unconfirmed.length} validated packages not confirmed to Amazon (e.g. ${unconfirmed[0].amazon_order_id})`);
    if (extraShipments) violations.push(`${extraShipments} shipments at Amazon beyond the validated packages`);
    const [notifications] = await q<{ unsent: number }>(
      `select count(*)::int as unsent from notifications.notifications n join ingestion.seller_accounts a on a.id = n.account_id
        where a.seller_id = any($1) and n.kind = 'shipment_confirmation' and n.state <> 'sent'`,
      [sellers],
    );
    if (notifications.unsent) violations.push(`${notifications.unsent} shipment confirmations not sent`);

    // Malformed orders: quarantined, with a reason, until Amazon serves them whole.
    if (malformed.size) {
      const quarantined = await q<{ amazon_order_id: string }>(`select amazon_order_id from ingestion.quarantined_orders where resolved_at is null and amazon_order_id = any($1)`, [[...malformed]]);
      const notQuarantined = [...malformed].filter((id) => !quarantined.some((r) => r.amazon_order_id === id));
      if (notQuarantined.length) violations.push(`${notQuarantined.length} malformed orders not quarantined (e.g. ${notQuarantined[0]})`);
    }

    // Every service's messaging tables: nothing parked, every outbox drained.
    for (const { schema } of await q<{ schema: string }>(`select table_schema as schema from information_schema.tables where table_name = 'parked_events' order by 1`)) {
      const [{ n }] = await q<{ n: number }>(`select count(*)::int as n from "${schema}".parked_events`);
      if (n) violations.push(`${n} events parked in ${schema}`);
    }
    for (const { schema } of await q<{ schema: string }>(`select table_schema as schema from information_schema.tables where table_name = 'outbox' order by 1`)) {
      const [{ n }] = await q<{ n: number }>(`select count(*)::int as n from "${schema}".outbox where published_at is null`);
      if (n) violations.push(`${n} unpublished events in ${schema}'s outbox`);
    }

    const health = await this.health();
    if (health.status !== 200) violations.push(`health ${health.status}: ${JSON.stringify(health.body).slice(0, 300)}`);

    return {
      violations,
      atAmazon: atAmazon.length,
      syncable: required.length,
      stored: storedRows.length,
      lost: missing.length + fba.without + fbm.without + unconfirmed.length,
      duplicates: doubled.reduce((n, r) => n + r.n - 1, 0) + phantoms.length + fba.doubled + fbm.doubled + extraShipments,
      resent: shipments.filter((s) => s.count > 1).length,
      validatedPackages: validated.length,
    };
  }

  /** Rejections of this system already charged to an earlier fault: each fault answers only for its own. */
  private static readonly charged = new WeakMap<RunningSystem, Set<string>>();

  /**
   * Unhandled rejections and uncaught exceptions in any process's output that no earlier fault of
   * this system was charged with: none may occur, fault or not.
   */
  logViolations(): string[] {
    const charged = InvariantChecker.charged.get(this.running) ?? new Set<string>();
    InvariantChecker.charged.set(this.running, charged);
    const rejections = this.running.output.filter((line) => /unhandled rejection|uncaught exception/i.test(line) && !charged.has(line));
    for (const line of rejections) charged.add(line);
    return rejections.length ? [`${rejections.length} unhandled rejections or uncaught exceptions, first: ${rejections[0].slice(0, 300)}`] : [];
  }

  /** The gateway's health (versioned path first; the unversioned one where that is not served). */
  async health(): Promise<{ status: number; body: unknown }> {
    try {
      const versioned = await this.running.api('GET', '/api/v1/health', undefined, null);
      if (versioned.status !== 404 && versioned.status !== 308) return versioned;
      return await this.running.api('GET', '/health', undefined, null);
    } catch (err) {
      return { status: 0, body: (err as Error).message };
    }
  }

  /**
   * Polls until the invariants hold; answers the report and how long it took from `since` (the end
   * of the fault). Fails with the violations still standing when they do not hold in time, or with
   * the unhandled rejections logged meanwhile (those never clear, so they are checked once, after).
   */
  async waitUntilHeld(scope: InvariantScope, since: number, timeoutMs = 90_000): Promise<{ report: InvariantReport; recoveryMs: number }> {
    let last: InvariantReport | undefined;
    try {
      const report = await waitFor(
        async () => {
          last = await this.check(scope);
          return last.violations.length === 0 ? last : undefined;
        },
        { timeoutMs, intervalMs: 500, what: 'the invariants to hold' },
      );
      const recoveryMs = Date.now() - since;
      report.violations.push(...this.logViolations());
      if (report.violations.length) throw Object.assign(new Error(`invariants violated: ${report.violations.join('; ')}`), { report, recoveryMs });
      return { report, recoveryMs };
    } catch (err) {
      if ((err as { report?: InvariantReport }).report) throw err;
      const error = new Error(`${(err as Error).message}; still violated: ${last?.violations.join('; ') ?? 'not checked'}`) as Error & { report?: InvariantReport };
      error.report = last;
      throw error;
    }
  }
}
