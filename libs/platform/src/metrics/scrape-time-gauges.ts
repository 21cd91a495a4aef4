import { Gauge, register } from 'prom-client';
import type { DataSource } from 'typeorm';
import { counter, gauge } from './metric-definitions';

/** A scrape waits at most this long for a reading of the database; /metrics never stalls on it. */
export const SCRAPE_READ_TIMEOUT_MS = 2000;
/**
 * A reading this fresh is used again rather than read anew. prom-client collects the gauges of a
 * scrape at once, so they share the reading under way anyway; this covers a scrape that collects
 * them one after the other, and is short enough that a later scrape always reads anew.
 */
const READING_REUSE_MS = 100;

const collectionFailures = counter({
  name: 'connector_metrics_collection_failures_total',
  help: 'Scrape-time readings (of the database) that failed or ran out of time; their gauges kept their last values',
  labelNames: ['collector'],
});

const lastCollection = gauge({
  name: 'connector_metrics_collection_last_success_timestamp_seconds',
  help: 'When each scrape-time reading (of the database) last succeeded: a gauge of a collector that stopped succeeding keeps its last value, this says how old it is',
  labelNames: ['collector'],
});

export interface GaugeSample {
  labels?: Record<string, string>;
  value: number;
}

export interface ScrapeGaugeDefinition<R> {
  name: string;
  help: string;
  labelNames?: string[];
  /** This gauge's samples in a reading; a label set that is gone from it is gone from the gauge. */
  samples: (reading: R) => GaugeSample[];
}

/** Rejects after `ms` unless the work settled first (the work itself goes on). */
export async function withinDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One read-only query under a statement timeout of its own, so a scrape's query never runs on
 * in PostgreSQL after its scrape gave up on it.
 */
export async function boundedQuery<T>(dataSource: DataSource, sql: string, params: unknown[] = [], timeoutMs = SCRAPE_READ_TIMEOUT_MS): Promise<T[]> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`set local statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    return manager.query(sql, params) as Promise<T[]>;
  });
}

/**
 * Gauges whose values are read when Prometheus scrapes (counts in the database, say), all from
 * one reading: bounded in time (SCRAPE_READ_TIMEOUT_MS), at most one at a time (a database that
 * hangs gets no pile of scrape queries), shared by the gauges of one scrape. A reading that
 * fails or runs out of time leaves the gauges as they were and counts in
 * `connector_metrics_collection_failures_total{collector}`.
 *
 * The gauges belong to their owner (a Nest provider): made anew when it starts (replacing any of
 * the same name, left by an app that stopped in this process), removed by remove().
 */
export class ScrapeTimeGauges<R> {
  private readonly names: string[];
  private readonly gauges: Gauge[];
  /** The reading under way, if any: a later scrape does not start another meanwhile. */
  private running?: Promise<R>;
  private last?: { at: number; reading: R };

  constructor(
    readonly collector: string,
    private readonly read: () => Promise<R>,
    definitions: ScrapeGaugeDefinition<R>[],
    private readonly timeoutMs = SCRAPE_READ_TIMEOUT_MS,
  ) {
    // Its failure series from 0: Prometheus's increase() sees the first failure after a start.
    collectionFailures.inc({ collector }, 0);
    const reading = () => this.reading();
    this.names = definitions.map((definition) => definition.name);
    this.gauges = definitions.map((definition) => {
      register.removeSingleMetric(definition.name);
      return new Gauge({
        name: definition.name,
        help: definition.help,
        labelNames: definition.labelNames ?? [],
        async collect() {
          const current = await reading();
          if (current === undefined) return;
          this.reset();
          for (const sample of definition.samples(current)) this.set(sample.labels ?? {}, sample.value);
        },
      });
    });
  }

  /** The reading for this scrape, or undefined when it could not be had in time. */
  async reading(): Promise<R | undefined> {
    if (this.last && Date.now() - this.last.at < READING_REUSE_MS) return this.last.reading;
    if (!this.running) {
      const running = this.read();
      this.running = running;
      void running
        .then(
          (reading) => {
            this.last = { at: Date.now(), reading };
            lastCollection.set({ collector: this.collector }, this.last.at / 1000);
          },
          () => undefined,
        )
        .finally(() => {
          if (this.running === running) this.running = undefined;
        });
    }
    try {
      return await withinDeadline(this.running, this.timeoutMs, `the ${this.collector} reading`);
    } catch {
      collectionFailures.inc({ collector: this.collector });
      return undefined;
    }
  }

  /** Unregisters the gauges (the owner stops). */
  remove(): void {
    this.names.forEach((name, i) => {
      if (register.getSingleMetric(name) === this.gauges[i]) register.removeSingleMetric(name);
    });
  }
}
