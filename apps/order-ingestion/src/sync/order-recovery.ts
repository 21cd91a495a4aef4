import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { OrdersApiVersion, RecoverOrderRequest, SalesOrderView } from '@connector/contracts';
import { counter, ServiceError } from '@connector/platform';
import { isCredentialsRefused, SpApiClients, SpApiError } from '@connector/sp-api';
import { inWorkContext } from '@connector/workers';
import { Repository } from 'typeorm';
import { AccountGoneError } from '../accounts/account-lease';
import { AccountsService } from '../accounts/accounts.service';
import { MarketplacesService } from '../marketplaces/marketplaces.service';
import { PreparedPage } from '../orders/sales-order-page';
import { SalesOrderWriter } from '../orders/sales-order-writer';
import { SalesOrder } from '../orders/sales-order.entity';
import { orderView } from '../orders/sales-order.view';
import { AmazonOrderSource, describeError } from './amazon-order-source';
import { OrdersV0Source } from './orders-v0.source';
import { OrdersV2026Source } from './orders-v2026-01-01.source';

/** What a recovery came to: an operator watching these sees orders that needed a hand and why they failed. */
export const ordersRecovered = counter({
  name: 'connector_orders_recovered_total',
  help: 'Orders recovered on request (POST .../orders/:amazonOrderId/sync), by outcome: created, updated, unchanged, quarantined, skipped, not_found, amazon_unavailable',
  labelNames: ['outcome'],
});

/**
 * Amazon could not be reached, failed (5xx) or throttled the account (429) after the client's own
 * retries: the order is fine, Amazon is away. A caller that keeps work on a queue whose receives
 * are counted (the notification reader) waits rather than let it count.
 */
export class AmazonAwayError extends ServiceError {}

/**
 * Recover one order: fetch it from Amazon at once (getOrder on the account's Orders API version,
 * through the account's client, so the same token buckets pace it) and write it through the sync's
 * writer, whatever the account's cursor says. It is not a sync run: it takes the account's row
 * lock, not its lease, and the writer's forward-only rules keep it and a run under way from going
 * back on each other.
 */
@Injectable()
export class OrderRecovery {
  private readonly logger = new Logger(OrderRecovery.name);

  constructor(
    private readonly accounts: AccountsService,
    private readonly marketplaces: MarketplacesService,
    private readonly clients: SpApiClients,
    private readonly writer: SalesOrderWriter,
    private readonly v0: OrdersV0Source,
    private readonly v2026: OrdersV2026Source,
    @InjectRepository(SalesOrder) private readonly orders: Repository<SalesOrder>,
  ) {}

  /**
   * `fetched`, when given, is told the LastUpdateDate of the copy Amazon answered (before it is
   * written), so a caller that knows when the order changed can tell a copy from before the change.
   */
  async recover({ accountId, amazonOrderId }: RecoverOrderRequest, fetched?: (copy: { amazonUpdatedAt: Date | null }) => void): Promise<SalesOrderView> {
    const account = await this.accounts.get(accountId);
    return inWorkContext({ accountId, amazonOrderId }, async () => {
      const source: AmazonOrderSource = account.ordersApi === OrdersApiVersion.V0 ? this.v0 : this.v2026;
      const client = this.clients.for(this.accounts.spApiAccess(account));
      const marketplaces = new Map((await this.marketplaces.findMany(account.marketplaceIds)).map((m) => [m.marketplaceId, m]));
      let page;
      try {
        page = await source.fetchOne(client, account, marketplaces, amazonOrderId);
      } catch (err) {
        throw this.amazonFailure(err, amazonOrderId);
      }
      fetched?.({ amazonUpdatedAt: amazonUpdatedAtOf(page, amazonOrderId) });
      let outcome;
      try {
        outcome = await this.writer.commit(page, { accountId, owner: null });
      } catch (err) {
        if (err instanceof AccountGoneError) throw ServiceError.notFound(`account ${accountId} not found`);
        throw err;
      }
      const failure = page.failures.find((f) => f.order.orderId === amazonOrderId);
      if (failure) {
        ordersRecovered.inc({ outcome: 'quarantined' });
        this.logger.warn(`order ${amazonOrderId} recovered from Amazon could not be stored; quarantined: ${failure.reason}`);
        throw unprocessable(`Amazon order ${amazonOrderId} cannot be stored; it is quarantined and tried again every run: ${failure.reason}`);
      }
      if (!outcome.committed.includes(amazonOrderId)) {
        ordersRecovered.inc({ outcome: 'skipped' });
        throw unprocessable(`Amazon order ${amazonOrderId} is not one the connector keeps: ${whySkipped(page.unconfirmed.some((o) => o.orderId === amazonOrderId))}`);
      }
      const result = outcome.created ? 'created' : outcome.updated ? 'updated' : 'unchanged';
      ordersRecovered.inc({ outcome: result });
      this.logger.log(`order ${amazonOrderId} recovered from Amazon: ${result}`);
      const order = await this.orders.findOne({ where: { accountId, amazonOrderId }, relations: { lines: true } });
      if (!order) throw ServiceError.notFound(`sales order of Amazon order ${amazonOrderId} not found`);
      return orderView(order);
    });
  }

  /** Amazon's answer as the caller should see it: never the credentials, only what Amazon said. */
  private amazonFailure(err: unknown, amazonOrderId: string): unknown {
    if (!(err instanceof SpApiError)) return err;
    // (Through `unknown`: the guard says SpApiError, which err is already, and would narrow the rest to never.)
    if (isCredentialsRefused(err as unknown)) {
      ordersRecovered.inc({ outcome: 'amazon_unavailable' });
      this.logger.warn(`order ${amazonOrderId} could not be fetched: Amazon refused the account's credentials (${err.code})`);
      return problem(503, 'Service Unavailable', `Amazon refused the account's credentials: give the account new ones (${err.code})`);
    }
    // Amazon answers 404 for an order it does not know, 400 for an id it cannot read.
    if (err.status === 404 || err.status === 400) {
      ordersRecovered.inc({ outcome: 'not_found' });
      return ServiceError.notFound(`Amazon does not know order ${amazonOrderId} for this account (${describeError(err)})`);
    }
    ordersRecovered.inc({ outcome: 'amazon_unavailable' });
    this.logger.warn(`order ${amazonOrderId} could not be fetched from Amazon: ${describeError(err)}`);
    if (err.status === 429) return new AmazonAwayError({ statusCode: 429, error: 'Too Many Requests', message: `Amazon is throttling getOrder for this account; try again in a minute (${describeError(err)})` });
    if (err.status === 0 || err.status >= 500) return new AmazonAwayError({ statusCode: 503, error: 'Service Unavailable', message: `Amazon could not be reached or failed; try again later (${describeError(err)})` });
    return problem(503, 'Service Unavailable', `Amazon refused the call; try again later (${describeError(err)})`);
  }
}

function problem(statusCode: number, error: string, message: string): ServiceError {
  return new ServiceError({ statusCode, error, message });
}

function unprocessable(message: string): ServiceError {
  return problem(422, 'Unprocessable Entity', message);
}

/** The writer skipped the order: say which of the sync's rules left it out. */
function whySkipped(cancelledUnconfirmed: boolean): string {
  if (cancelledUnconfirmed) return 'Amazon cancelled it before it was ever confirmed';
  return 'it is pending on Amazon, or fulfilled by Amazon and not shipped yet; it is synced once it is';
}

/** The LastUpdateDate of the fetched copy, wherever the page put it (null: not readable, or left out as pending). */
function amazonUpdatedAtOf(page: PreparedPage, amazonOrderId: string): Date | null {
  const prepared = page.prepared.find((p) => p.mapped.amazonOrderId === amazonOrderId);
  if (prepared) return prepared.mapped.amazonUpdatedAt;
  const raw = [...page.failures.map((f) => f.order), ...page.unconfirmed].find((o) => o.orderId === amazonOrderId);
  const time = raw?.lastUpdatedTime ? new Date(raw.lastUpdatedTime) : null;
  return time && !Number.isNaN(time.getTime()) ? time : null;
}
