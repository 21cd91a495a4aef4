/**
 * Orders search benchmark (GET /api/v1/orders filters, issue 16): N orders (2 lines each) of 20
 * accounts and N/2.5 buyers written straight into the running system's database, then each filter
 * asked through the gateway (buyers through partner-resolution's keyed hashes), one page of 50.
 *
 *   npm run build && node dist/bench/orders-search.js --orders 100000 --requests 30
 *   node dist/bench/orders-search.js --orders 100000 --requests 30 --without-search-indexes yes   # as before them
 *
 * Prints, per filter: rows it matches, p50/p95 of the HTTP answer, and the plan PostgreSQL takes
 * for the query order-ingestion builds (salesOrdersQuery, EXPLAIN ANALYZE: indexes used, time,
 * shared buffers read).
 */
import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { ROOT_DIR } from '@connector/testing';
import { arg, BenchSystem, percentile } from './support';

/** Development key of partner-resolution (PERSONAL_DATA_HASH_KEY): the running system uses it. */
const HASH_KEY = 'local-development-personal-data-hash-key';
const index = (normalized: string) => `h1:${createHmac('sha256', HASH_KEY).update(normalized, 'utf8').digest('hex')}`;
const MARKETPLACES = ['A1PA6795UKMFR9', 'A13V1IB3VIYZZH', 'A1F83G8C2ARO7P', 'APJ6JRA9NG5V4', 'A1RKKUPIHCS9HS'];

async function main(): Promise<void> {
  const orders = Number(arg('orders', '100000'));
  const requests = Number(arg('requests', '30'));
  const buyers = Math.round(orders / 2.5);
  const bench = await new BenchSystem().start({ LOG_LEVEL: 'warn' });
  try {
    const db = bench.env;
    const started = Date.now();
    const accounts = (
      await db.query<{ id: string }>(
        `insert into ingestion.seller_accounts (id, name, seller_id, region, lwa_client_id, encrypted_client_secret, encrypted_refresh_token, marketplace_ids,
                orders_api, api_endpoint, lwa_endpoint, sync_enabled, sync_interval_seconds, initial_sync_from)
         select gen_random_uuid(), 'bench ' || i, 'A2SEARCHBENCH' || i, 'EU', 'x', 'x', 'x', $1::text[], 'v2026-01-01', 'http://127.0.0.1:9', 'http://127.0.0.1:9', false, 86400, now()
           from generate_series(1, 20) i returning id`,
        [MARKETPLACES],
      )
    ).map((row) => row.id);
    // Buyers: sealed values stand in as opaque text; the indexes are the real keyed hashes of "Buyer i" and "buyer-i@marketplace.amazon.de".
    const names = Array.from({ length: buyers }, (_, i) => index(`buyer ${i}`));
    const emails = Array.from({ length: buyers }, (_, i) => index(`buyer-${i}@marketplace.amazon.de`));
    await db.query(
      `insert into partners.contacts (id, account_id, match_key, name, email, is_business, name_index, email_index)
       select gen_random_uuid(), ($3::uuid[])[1 + (i % 20)], 'h1:bench' || i, 'v2:bench', 'v2:bench', false, n, e
         from unnest($1::text[], $2::text[]) with ordinality as b(n, e, i)`,
      [names, emails, accounts],
    );
    // Orders over a year, 85% shipped, 70% FBM, five marketplaces (drawn apart from the account); each buyer's orders in its account; two lines of 2,000 SKUs.
    await db.query(
      `insert into ingestion.sales_orders (id, account_id, marketplace_id, amazon_order_id, channel, status, amazon_status, currency, purchased_at, amazon_updated_at,
              contact_id, delivery_address_id, is_business_order, lines_total, reconciled, content_hash, version, created_at, updated_at)
       select gen_random_uuid(), c.account_id, ($2::text[])[1 + abs(hashtext('m' || i)) % 5], lpad((400 + i % 100)::text, 3, '0') || '-' || lpad(i::text, 7, '0') || '-' || lpad((i * 7 % 9999999)::text, 7, '0'),
              case when abs(hashtext('c' || i)) % 10 < 7 then 'FBM' else 'FBA' end,
              case when s.n < 85 then 'shipped' when s.n < 95 then 'confirmed' when s.n < 99 then 'canceled' else 'partially_shipped' end,
              'Shipped', 'EUR', p.at, p.at + interval '2 days', c.id, gen_random_uuid(), false, 20, true, 'bench', 1, p.at + interval '5 minutes', p.at + interval '2 days'
         from generate_series(1, $1::int) i
         cross join lateral (select now() - (i::float / $1 * interval '365 days') as at) p
         cross join lateral (select abs(hashtext('s' || i)) % 100 as n) s
         join (select id, account_id, row_number() over () - 1 as n from partners.contacts where match_key like 'h1:bench%') c on c.n = i % $3`,
      [orders, MARKETPLACES, buyers],
    );
    await db.query(
      `insert into ingestion.sales_order_lines (id, order_id, line_key, kind, sequence, order_item_id, sku, name, quantity, quantity_shipped,
              unit_price_tax_included, unit_price_tax_excluded, amount_tax_included, amount_tax_excluded, discount_tax_included, discount_tax_excluded,
              total_tax_included, total_tax_excluded, tax_amount)
       select gen_random_uuid(), o.id, 'item:' || k, 'product', k, o.amazon_order_id || k, 'SKU-' || (abs(hashtext(o.id::text || k)) % 2000), 'Product', 1, 0, 10, 8.4, 10, 8.4, 0, 0, 10, 8.4, 1.6
         from ingestion.sales_orders o cross join generate_series(1, 2) k`,
    );
    if (arg('without-search-indexes', 'no') === 'yes') {
      // As before migration 1766000000500: what its indexes buy.
      for (const name of ['sales_orders_account_list', 'sales_orders_status_list', 'sales_orders_amazon_order_id', 'sales_orders_contact', 'sales_orders_purchased', 'sales_order_lines_sku']) {
        await db.query(`drop index ingestion.${name}`);
      }
    }
    await db.query(`analyze ingestion.sales_orders; analyze ingestion.sales_order_lines; analyze partners.contacts`);
    console.log(`${orders} orders, ${orders * 2} lines, ${buyers} buyers written in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const [sample] = await db.query<{ account_id: string; amazon_order_id: string }>(`select account_id, amazon_order_id from ingestion.sales_orders order by purchased_at desc offset 1234 limit 1`);
    const [sku] = await db.query<{ sku: string }>(`select sku from ingestion.sales_order_lines group by sku order by count(*) desc limit 1`);
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86400_000).toISOString().slice(0, 10);
    const filters: [string, Record<string, string>][] = [
      ['none', {}],
      ['account', { accountId: sample.account_id }],
      ['marketplace', { marketplaceId: MARKETPLACES[1] }],
      ['channel', { channel: 'FBA' }],
      ['status (10%)', { status: 'confirmed' }],
      ['status (1%)', { status: 'partially_shipped' }],
      ['amazon order id', { amazonOrderId: sample.amazon_order_id }],
      ['updated since (2 days)', { updatedSince: new Date(Date.now() - 2 * 86400_000).toISOString() }],
      ['buyer name', { buyer: 'Buyer 777' }],
      ['buyer e-mail', { buyer: 'BUYER-777@marketplace.amazon.de' }],
      ['buyer, no such', { buyer: 'Nobody Here' }],
      ['sku', { sku: sku.sku }],
      ['purchased (one week)', { purchasedFrom: day(30), purchasedTo: day(24) }],
      ['purchased (one week), account', { purchasedFrom: day(30), purchasedTo: day(24), accountId: sample.account_id }],
      ['status, account, marketplace', { status: 'confirmed', accountId: sample.account_id, marketplaceId: MARKETPLACES[0] }],
    ];

    // The query order-ingestion builds, from its compiled code (bench/ builds against the libs only).
    const { salesOrdersQuery } = await import(resolve(ROOT_DIR, 'dist/apps/order-ingestion/src/orders/sales-orders.service.js'));
    const { SalesOrder } = await import(resolve(ROOT_DIR, 'dist/apps/order-ingestion/src/orders/sales-order.entity.js'));
    const { ingestionDataSource } = await import(resolve(ROOT_DIR, 'dist/apps/order-ingestion/src/data-source.js'));
    const { DataSource } = await import('typeorm');
    const typeorm = new DataSource({ ...ingestionDataSource(db.databaseUrl), migrationsRun: false });
    await typeorm.initialize();

    console.log(`\n${'filter'.padEnd(34)} ${'matches'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p95 ms'.padStart(7)} ${'sql ms'.padStart(7)} ${'buffers'.padStart(8)}  plan`);
    for (const [label, query] of filters) {
      const search = new URLSearchParams({ ...query, limit: '50' }).toString();
      const times: number[] = [];
      let items = 0;
      for (let i = 0; i < requests; i++) {
        const t = process.hrtime.bigint();
        items = (await bench.json<{ items: unknown[] }>('GET', `/api/v1/orders?${search}`)).items.length;
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      let contactIds: string[] | undefined;
      if (query.buyer) {
        const normalized = query.buyer.includes('@') ? query.buyer.trim().toLowerCase() : query.buyer.trim().toLowerCase().replace(/\s+/g, ' ');
        contactIds = (await db.query<{ id: string }>(`select id from partners.contacts where name_index = $1 or email_index = $2`, [index(normalized), index(normalized)])).map((r) => r.id);
      }
      // No contact of that buyer: the service answers an empty page without asking; the plan shown is for an id that matches nothing.
      if (contactIds && !contactIds.length) contactIds = ['00000000-0000-4000-8000-000000000000'];
      const built = salesOrdersQuery(typeorm.getRepository(SalesOrder), query, contactIds);
      const [sql, parameters] = built.orderBy('o.createdAt', 'ASC').addOrderBy('o.id', 'ASC').take(51).getQueryAndParameters();
      const countSql = salesOrdersQuery(typeorm.getRepository(SalesOrder), query, contactIds).getQueryAndParameters();
      const [{ count }] = await typeorm.query(`select count(*)::int as count from (${countSql[0]}) q`, countSql[1]);
      const [{ 'QUERY PLAN': [plan] }] = await typeorm.query(`explain (analyze, buffers, format json) ${sql}`, parameters);
      const indexes = new Set<string>();
      const scans = new Set<string>();
      const walk = (node: any) => {
        if (node['Index Name']) indexes.add(node['Index Name']);
        if (node['Node Type'] === 'Seq Scan') scans.add(`seq ${node['Relation Name']}`);
        for (const child of node.Plans ?? []) walk(child);
      };
      walk(plan.Plan);
      const buffers = (plan.Plan['Shared Hit Blocks'] ?? 0) + (plan.Plan['Shared Read Blocks'] ?? 0);
      console.log(
        `${label.padEnd(34)} ${String(count).padStart(8)} ${percentile(times, 50).toFixed(1).padStart(7)} ${percentile(times, 95).toFixed(1).padStart(7)} ${plan['Execution Time'].toFixed(2).padStart(7)} ${String(buffers).padStart(8)}  ${[...indexes, ...scans].join(', ') || '-'}${items ? '' : ' (empty page)'}`,
      );
    }
    await typeorm.destroy();
  } finally {
    await bench.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
