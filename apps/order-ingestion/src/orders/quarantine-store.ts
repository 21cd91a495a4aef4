import { Injectable, Logger } from '@nestjs/common';
import { AlertKind } from '@connector/contracts';
import { alertText, raiseAlert } from '@connector/messaging';
import { AmazonOrder, isCredentialsRefused, SpApiError } from '@connector/sp-api';
import { newRowId } from '@connector/persistence';
import { isDependencyOutage } from '@connector/workers';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { SellerAccount } from '../accounts/seller-account.entity';
import { QuarantinedOrder } from './quarantined-order.entity';

/** Quarantined orders retried per sync run, the longest-waiting first. */
const QUARANTINE_RETRIES_PER_RUN = 100;

/** Amazon orders that could not be mapped (or fetched): kept, retried every run, settled once they map. */
@Injectable()
export class QuarantineStore {
  private readonly logger = new Logger(QuarantineStore.name);

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records an order that could not be mapped (or fetched) so it is retried and never lost.
   * The order is kept for whoever investigates, without the buyer's personal data: a quarantine
   * may stay for long, and personal-data retention covers partners only. (It is fetched again
   * on retry; once it maps, the payload goes.)
   *
   * `cause`: the error, when the order failed on one. A failure that is not the order's own (see
   * notTheOrdersOwn) leaves the reason of an order already quarantined as it was: it is kept as the
   * quarantine's last retry error instead.
   */
  async quarantine(manager: EntityManager, account: SellerAccount, order: Partial<AmazonOrder> & { orderId: string }, reason: string, cause?: unknown): Promise<void> {
    // Alerted once per quarantine: when the order is new to it (or was settled and is back), not
    // on every run that retries it. The account's runs hold its lease, so no other writer races.
    const [known]: { resolved_at: Date | null; reason: string }[] = await manager.query(`select resolved_at, reason from quarantined_orders where account_id = $1 and amazon_order_id = $2`, [
      account.id,
      order.orderId,
    ]);
    if (known && !known.resolved_at && cause !== undefined && notTheOrdersOwn(cause)) {
      this.logger.warn({ msg: `quarantined ${order.orderId} could not be retried: ${reason}; it stays quarantined for: ${known.reason}`, accountId: account.id, amazonOrderId: order.orderId });
      await manager.query(`update quarantined_orders set last_retry_error = $3, last_attempt_at = now(), attempts = attempts + 1 where account_id = $1 and amazon_order_id = $2`, [
        account.id,
        order.orderId,
        reason,
      ]);
      return;
    }
    this.logger.warn({ msg: `quarantined ${order.orderId}: ${reason}`, accountId: account.id, amazonOrderId: order.orderId });
    if (!known || known.resolved_at) {
      await raiseAlert(manager, {
        kind: AlertKind.OrderQuarantined,
        service: 'order-ingestion',
        accountId: account.id,
        amazonOrderId: order.orderId,
        summary: `order ${order.orderId} of account ${account.name} could not be synced and is quarantined: ${alertText(reason, 300)}`,
        details: { reason: alertText(reason), marketplaceId: order.salesChannel?.marketplaceId ?? null },
      });
    }
    const now = new Date();
    const quarantinedAgain = !!known?.resolved_at;
    await manager
      .createQueryBuilder()
      .insert()
      .into(QuarantinedOrder)
      .values({
        id: newRowId(),
        accountId: account.id,
        amazonOrderId: order.orderId,
        marketplaceId: order.salesChannel?.marketplaceId ?? '',
        reason,
        lastRetryError: null,
        payload: withoutPersonalData(order),
        attempts: 1,
        firstSeenAt: now,
        quarantinedAt: now,
        lastAttemptAt: now,
        resolvedAt: null,
        createdAt: now,
      })
      .orUpdate(['reason', 'last_retry_error', 'payload', 'last_attempt_at', 'resolved_at'], ['account_id', 'amazon_order_id'])
      .execute();
    // A retry that fails again keeps quarantined_at (the rule on new quarantines must not see it as
    // new every run); an order resolved and back is quarantined anew.
    await manager.query(
      `update quarantined_orders set attempts = attempts + 1, quarantined_at = case when $4 then $3 else quarantined_at end
        where account_id = $1 and amazon_order_id = $2 and first_seen_at < $3`,
      [account.id, order.orderId, now, quarantinedAgain],
    );
  }

  /** Done with these orders (they committed, or will never become sales orders): nothing left to retry. */
  async resolve(manager: EntityManager, accountId: string, amazonOrderIds: string[]): Promise<void> {
    if (amazonOrderIds.length === 0) return;
    await manager.query(
      `update quarantined_orders set resolved_at = now(), payload = null where account_id = $1 and amazon_order_id = any($2::text[]) and resolved_at is null`,
      [accountId, amazonOrderIds],
    );
  }

  /** The account's unresolved quarantines due for a retry this run. */
  due(accountId: string): Promise<QuarantinedOrder[]> {
    return this.dataSource.getRepository(QuarantinedOrder).find({
      where: { accountId, resolvedAt: IsNull() },
      order: { lastAttemptAt: 'ASC' },
      take: QUARANTINE_RETRIES_PER_RUN,
    });
  }

  /**
   * To the back of the queue, whatever came of them: an order still quarantined, or one the
   * writer skipped (say, cancelled before it was confirmed), must not keep the others from
   * their turn.
   */
  async triedAgain(quarantined: QuarantinedOrder[]): Promise<void> {
    await this.dataSource.query(`update quarantined_orders set last_attempt_at = now() where id = any($1::uuid[]) and resolved_at is null`, [quarantined.map((q) => q.id)]);
  }
}

/** Amazon did not return an order asked for by id (getOrders by ids): like a 404, not the order's own failure. */
export class OrderNotReturned extends Error {}

/**
 * A failure that says nothing about the order itself: a dependency out (database, NATS, another
 * service), the account's credentials refused, or Amazon's side (the order not found just now,
 * access denied, a 5xx, throttling). It must not replace why the order was quarantined.
 */
export function notTheOrdersOwn(err: unknown): boolean {
  if (err instanceof OrderNotReturned || isDependencyOutage(err) || isCredentialsRefused(err)) return true;
  if (!(err instanceof SpApiError)) return false;
  return err.operation === 'lwaToken' || err.retriable || err.status === 401 || err.status === 403 || err.status === 404;
}

/** The order without buyer and recipient, but for where it goes (country, region, postal code). */
function withoutPersonalData(order: Partial<AmazonOrder>): object {
  const { buyer: _buyer, recipient, ...rest } = order;
  const address = recipient?.deliveryAddress;
  if (!address) return rest;
  const { countryCode, stateOrRegion, postalCode } = address;
  return { ...rest, recipient: { deliveryAddress: { countryCode, stateOrRegion, postalCode } } };
}

/**
 * The stored order as the API shows it: buyer and recipient are not stored (withoutPersonalData), and
 * gift messages, which are the buyer's words, are left out too (as from parked order events).
 */
export function rawOrderShown(payload: unknown): Record<string, unknown> | null {
  const shown = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(shown);
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).filter(([key]) => !/^giftMessage/i.test(key)).map(([key, inner]) => [key, shown(inner)]));
  };
  return payload && typeof payload === 'object' && !Array.isArray(payload) ? (shown(payload) as Record<string, unknown>) : null;
}
