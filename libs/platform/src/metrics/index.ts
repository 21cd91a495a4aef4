export * from './metric-definitions';
export * from './scrape-time-gauges';
export * from './service-metrics.module';
export * from './http-request-metrics';
