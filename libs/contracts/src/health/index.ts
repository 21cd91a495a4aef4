export * from './health.messages';
export * from './metrics.messages';
