import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;

/**
 * The process's Prometheus registry (prom-client's default one, where features define their
 * metrics): Node.js's own figures (CPU, memory, event-loop lag, GC...) and `service=<name>` on
 * every series, so one Prometheus tells the services apart.
 */
export function startProcessMetrics(service: string): void {
  register.setDefaultLabels({ service });
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
