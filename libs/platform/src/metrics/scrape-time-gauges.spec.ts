import { register } from 'prom-client';
import { ScrapedMetrics } from '@connector/test-environment';
import { ScrapeTimeGauges } from './scrape-time-gauges';

const scrape = async () => new ScrapedMetrics(await register.metrics());
/** Failures so far (read on its own: in a scrape, the counter is written before the gauges that fail are collected). */
const failures = async (collector: string) =>
  new ScrapedMetrics(await register.getSingleMetricAsString('connector_metrics_collection_failures_total')).sum('connector_metrics_collection_failures_total', { collector });

describe('ScrapeTimeGauges: gauges read at scrape time, bounded', () => {
  let gauges: ScrapeTimeGauges<{ queue: string; n: number }[]> | undefined;
  afterEach(() => gauges?.remove());

  it('has its failure series at 0 from the start, before any reading: the first failure is an increase', async () => {
    gauges = new ScrapeTimeGauges('test fresh', async () => [], []);
    const series = new ScrapedMetrics(await register.getSingleMetricAsString('connector_metrics_collection_failures_total')).samples('connector_metrics_collection_failures_total', { collector: 'test fresh' });
    expect(series).toEqual([{ labels: { collector: 'test fresh' }, value: 0 }]);
  });

  it('makes one reading per scrape for all its gauges, and drops a label set gone from the reading', async () => {
    let reads = 0;
    let rows = [
      { queue: 'a', n: 3 },
      { queue: 'b', n: 5 },
    ];
    gauges = new ScrapeTimeGauges(
      'test queues',
      async () => {
        reads++;
        return rows;
      },
      [
        { name: 'test_queue_items', help: 'items', labelNames: ['queue'], samples: (r) => r.map((row) => ({ labels: { queue: row.queue }, value: row.n })) },
        { name: 'test_queue_total_items', help: 'all items', samples: (r) => [{ value: r.reduce((sum, row) => sum + row.n, 0) }] },
      ],
    );
    const first = await scrape();
    expect(reads).toBe(1);
    expect(first.samples('test_queue_items')).toEqual([
      { labels: { queue: 'a' }, value: 3 },
      { labels: { queue: 'b' }, value: 5 },
    ]);
    expect(first.sum('test_queue_total_items')).toBe(8);

    rows = [{ queue: 'b', n: 1 }];
    await new Promise((resolve) => setTimeout(resolve, 200)); // past the reuse of one reading
    const second = await scrape();
    expect(reads).toBe(2);
    expect(second.samples('test_queue_items')).toEqual([{ labels: { queue: 'b' }, value: 1 }]);
  });

  it('answers the scrape within its time limit when the reading hangs, keeps the last values, counts the failure, and starts no second reading meanwhile', async () => {
    let reads = 0;
    let hang = false;
    let release: () => void = () => undefined;
    gauges = new ScrapeTimeGauges(
      'test hanging',
      async () => {
        reads++;
        if (hang) await new Promise<void>((resolve) => (release = resolve));
        return [{ queue: 'a', n: 7 }];
      },
      [{ name: 'test_hanging_items', help: 'items', labelNames: ['queue'], samples: (r) => r.map((row) => ({ labels: { queue: row.queue }, value: row.n })) }],
      300,
    );
    expect((await scrape()).sum('test_hanging_items')).toBe(7);
    await new Promise((resolve) => setTimeout(resolve, 200));
    hang = true;

    const started = Date.now();
    const during = await scrape();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(during.sum('test_hanging_items')).toBe(7);
    expect(await failures('test hanging')).toBe(1);

    await scrape();
    expect(reads).toBe(2); // the hanging reading is still the one
    await scrape();
    expect(await failures('test hanging')).toBe(3);

    release();
    hang = false;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await scrape()).sum('test_hanging_items')).toBe(7);
    expect(reads).toBe(3);
  });

  it('remove() takes its gauges off the registry', async () => {
    gauges = new ScrapeTimeGauges('test removed', async () => [], [{ name: 'test_removed_items', help: 'items', samples: () => [{ value: 1 }] }]);
    expect((await scrape()).has('test_removed_items')).toBe(true);
    gauges.remove();
    gauges = undefined;
    expect((await scrape()).has('test_removed_items')).toBe(false);
  });
});
