export * from './amazon-order.builder';
export * from './test-environment';
export * from './running-system';
export * from './nats-server';
export * from './postgres-cluster';
