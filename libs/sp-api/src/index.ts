export * from './feeds-api';
export * from './orders-api';
export * from './orders-v0';
export * from './rate-limits';
export * from './sp-api-client';
export * from './amazon-endpoints';
export * from './amazon-access.settings';
