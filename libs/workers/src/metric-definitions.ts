import { Counter, CounterConfiguration, Gauge, GaugeConfiguration, Histogram, HistogramConfiguration, register } from 'prom-client';

/**
 * Every metric lives on prom-client's default registry, which the management port's /metrics
 * serves. Names follow Prometheus's rules: `connector_` first, base units (seconds, bytes),
 * `_total` on counters; labels are bounded (an account id yes, an Amazon order id never).
 * Here, the lowest of the libs, so every lib above (messaging, sp-api, platform) defines its
 * metrics the same way.
 */

/** Seconds, for work from a few milliseconds (a handler) to minutes (a sync run waiting for Amazon's quota). */
export const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * The metric of that name if this process has it already, else a new one: a module loaded a
 * second time (tests that start several apps in one process) shares its metrics rather than
 * failing on a duplicate registration.
 */
export function counter<L extends string>(config: CounterConfiguration<L>): Counter<L> {
  return (register.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter(config);
}

export function gauge<L extends string>(config: GaugeConfiguration<L>): Gauge<L> {
  return (register.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge(config);
}

export function histogram<L extends string>(config: HistogramConfiguration<L>): Histogram<L> {
  return (register.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram(config);
}
