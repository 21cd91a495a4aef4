export * from './health.messages';
