/**
 * What a shared quota costs each call to Amazon: the round trip of SharedQuotas' one statement
 * (PostgreSQL's amazon_quotas) against a bucket in this process's memory.
 *
 *   node dist/bench/amazon-quotas.js [--takes 20000] [--sellers 1000] [--replicas 2] [--concurrency 16]
 *
 * `--replicas` pools (processes' worth, 4 connections each, as a service's pool spares them)
 * take `--takes` tokens in all, `--concurrency` at a time each: spread over `--sellers` sellers'
 * getOrder buckets, then all on one seller's bucket (every take waits for the row's lock). The
 * rates are scaled so far up that no take waits for a token: what is measured is the store alone.
 * Prints takes per second and the round trip p50 / p95 / p99 of each.
 */
import { DataSource } from 'typeorm';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { AmazonQuotas, AmazonQuotas1766000000600, LocalQuotas, OperationQuota, SharedQuotas } from '@connector/sp-api';
import { TestEnvironment } from '@connector/testing';
import { arg, percentile } from './support';

const SCALE = 1e7;

async function measure(name: string, quotas: AmazonQuotas[], sellers: number, takes: number, concurrency: number): Promise<void> {
  // Each replica's quota objects, as its clients keep them (one per seller and operation).
  const perReplica = quotas.map(() => new Map<number, OperationQuota>());
  const quotaOf = (replica: number, seller: number) => {
    let quota = perReplica[replica].get(seller);
    if (!quota) {
      quota = quotas[replica].quota({ sellerId: `A2BENCH${String(seller).padStart(6, '0')}`, clientId: 'bench-app', endpoint: 'https://sellingpartnerapi-eu.amazon.com' }, 'getOrder');
      perReplica[replica].set(seller, quota);
    }
    return quota;
  };
  const times: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    quotas.flatMap((_, replica) =>
      Array.from({ length: concurrency }, async () => {
        while (next < takes) {
          const seller = next++ % sellers;
          const from = performance.now();
          await quotaOf(replica, seller).take();
          times.push(performance.now() - from);
        }
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  ${name.padEnd(58)}${(takes / seconds).toFixed(0).padStart(8)} takes/s   round trip p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms, p99 ${percentile(times, 99).toFixed(2)} ms`,
  );
}

async function main(): Promise<void> {
  const takes = Number(arg('takes', '20000'));
  const sellers = Number(arg('sellers', '1000'));
  const replicas = Number(arg('replicas', '2'));
  const concurrency = Number(arg('concurrency', '16'));
  const env = await new TestEnvironment().setUp();
  const options = serviceDataSourceOptions({ database: env.databaseUrl, schema: 'bench', entities: [], migrations: [AmazonQuotas1766000000600] });
  await runMigrations({ ...options, schema: 'bench', url: env.databaseUrl } as never);
  const pools = await Promise.all(Array.from({ length: replicas }, () => new DataSource({ ...options, extra: { ...options.extra, max: 4 } }).initialize()));
  try {
    console.log(`\n${takes} takes of getOrder tokens, ${replicas} replica(s) × ${concurrency} at a time (PostgreSQL on this machine, 2 cores shared with whatever else runs):`);
    await measure('in memory (LocalQuotas: one process alone)', pools.map(() => new LocalQuotas(SCALE)), sellers, takes, concurrency);
    await measure(`shared (SharedQuotas), ${sellers} sellers`, pools.map((db) => new SharedQuotas(db, { scale: SCALE })), sellers, takes, concurrency);
    await measure('shared (SharedQuotas), one seller: every take on one row', pools.map((db) => new SharedQuotas(db, { scale: SCALE })), 1, takes, concurrency);
  } finally {
    await Promise.all(pools.map((db) => db.destroy()));
    await env.tearDown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
