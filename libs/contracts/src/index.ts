export * from './accounts';
export * from './common';
export * from './health';
export * from './inventory';
export * from './notifications';
export * from './orders';
export * from './partners';
export * from './access/nats-access';
