export * from './test-environment';
export * from './nats-server';
export * from './postgres-cluster';
export * from './nats-cluster';
export { waitFor } from '@connector/local-system';
export * from './tcp-proxy';
export * from './scraped-metrics';
