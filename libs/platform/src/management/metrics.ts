import { hostname } from 'node:os';
import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;

/** This process among the replicas of its service: `<hostname>-<pid>` (a container's hostname is its id). */
export function processReplica(): string {
  return `${hostname()}-${process.pid}`;
}

/**
 * The process's Prometheus registry (prom-client's default one, where features define their
 * metrics): Node.js's own figures (CPU, memory, event-loop lag, GC...), and `service=<name>` and
 * `replica=<hostname-pid>` on every series, so one Prometheus tells the services apart and two
 * replicas' counters stay apart even when read through one address (the gateway's
 * /metrics/services/:service, which answers for one replica per scrape).
 */
export function startProcessMetrics(service: string, replica = processReplica()): void {
  register.setDefaultLabels({ service, replica });
  // Once per process: collectDefaultMetrics registers its metrics, and twice would be a clash.
  if (!collecting) {
    collectDefaultMetrics();
    collecting = true;
  }
}

/** Every metric of the process, in Prometheus's text format, and its content type. */
export async function metricsText(): Promise<{ contentType: string; text: string }> {
  return { contentType: register.contentType, text: await register.metrics() };
}
