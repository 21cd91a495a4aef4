export * from './feeds-api';
export * from './orders-api';
export * from './rate-limits';
export * from './sp-api-client';
