import { OrdersApiVersion } from '@connector/contracts';
import { ServiceError } from '@connector/platform';
import { SpApiClients, SpApiError } from '@connector/sp-api';
import type { Repository } from 'typeorm';
import type { AccountsService } from '../accounts/accounts.service';
import type { MarketplacesService } from '../marketplaces/marketplaces.service';
import type { SalesOrderWriter } from '../orders/sales-order-writer';
import type { SalesOrder } from '../orders/sales-order.entity';
import { AmazonAwayError, OrderRecovery } from './order-recovery';
import type { OrdersV0Source } from './orders-v0.source';
import type { OrdersV2026Source } from './orders-v2026-01-01.source';

/** What the caller of a recovery sees when Amazon answers with an error: a clear problem, never the credentials. */
describe('OrderRecovery: Amazon errors as problems', () => {
  const recoveryFailingWith = (err: unknown, ordersApi = OrdersApiVersion.V2026) => {
    const account = { id: 'a1', ordersApi, marketplaceIds: ['A1PA6795UKMFR9'] };
    const accounts = { get: async () => account, spApiAccess: () => ({}) } as unknown as AccountsService;
    const marketplaces = { findMany: async () => [] } as unknown as MarketplacesService;
    const clients = { for: () => ({}) } as unknown as SpApiClients;
    const writer = {
      commit: async () => {
        throw new Error('nothing is written');
      },
    } as unknown as SalesOrderWriter;
    const source = {
      fetchOne: async () => {
        throw err;
      },
    };
    return new OrderRecovery(accounts, marketplaces, clients, writer, source as unknown as OrdersV0Source, source as unknown as OrdersV2026Source, {} as Repository<SalesOrder>);
  };
  const answer = async (err: unknown, ordersApi?: OrdersApiVersion) => {
    const thrown = await recoveryFailingWith(err, ordersApi)
      .recover({ accountId: 'a1', amazonOrderId: '302-1234567-1234567' })
      .catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ServiceError);
    return (thrown as ServiceError).body;
  };
  const thrownBy = (err: unknown) => recoveryFailingWith(err).recover({ accountId: 'a1', amazonOrderId: '302-1234567-1234567' }).catch((e: unknown) => e);

  it.each([OrdersApiVersion.V2026, OrdersApiVersion.V0])('%s: an order Amazon does not know is a 404', async (api) => {
    expect(await answer(new SpApiError('getOrder', 404, 'NotFound', 'Order 302-1234567-1234567 not found.'), api)).toMatchObject({
      statusCode: 404,
      message: expect.stringContaining('Amazon does not know order 302-1234567-1234567'),
    });
  });

  it('throttling that outlasted the retries is a 429, an outage a 503', async () => {
    expect(await answer(new SpApiError('getOrder', 429, 'QuotaExceeded', 'You exceeded your quota'))).toMatchObject({ statusCode: 429, message: expect.stringContaining('throttling getOrder') });
    expect(await answer(new SpApiError('getOrder', 503, 'ServiceUnavailable', 'try later'))).toMatchObject({ statusCode: 503, message: expect.stringContaining('Amazon could not be reached or failed') });
    expect(await answer(new SpApiError('getOrder', 0, 'NetworkError', 'ECONNREFUSED'))).toMatchObject({ statusCode: 503 });
  });

  it('says Amazon is away (the reader holds its notification) for throttling, 5xx and no connection, not for refused credentials or a refusal', async () => {
    for (const err of [new SpApiError('getOrder', 429, 'QuotaExceeded', 'q'), new SpApiError('getOrder', 500, 'InternalFailure', 'x'), new SpApiError('getOrder', 0, 'NetworkError', 'ECONNREFUSED')]) {
      expect(await thrownBy(err)).toBeInstanceOf(AmazonAwayError);
    }
    for (const err of [new SpApiError('lwaToken', 400, 'invalid_grant', 'revoked'), new SpApiError('getOrder', 403, 'Unauthorized', 'Access denied')]) {
      const thrown = await thrownBy(err);
      expect(thrown).toBeInstanceOf(ServiceError);
      expect(thrown).not.toBeInstanceOf(AmazonAwayError);
    }
  });

  it('refused credentials are a 503 that says so, with Amazon\'s code only', async () => {
    const body = await answer(new SpApiError('lwaToken', 400, 'invalid_grant', 'The request has an invalid grant parameter : refresh_token Atzr|secret-token'));
    expect(body).toMatchObject({ statusCode: 503, message: expect.stringContaining("Amazon refused the account's credentials") });
    expect(body.message).not.toContain('Atzr|');
  });

  it('anything else is not dressed up as Amazon\'s answer', async () => {
    const bug = new TypeError('x is undefined');
    await expect(recoveryFailingWith(bug).recover({ accountId: 'a1', amazonOrderId: '302-1234567-1234567' })).rejects.toBe(bug);
  });
});
