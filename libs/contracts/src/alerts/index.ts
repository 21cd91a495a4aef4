export * from './alert.events';
