export * from './notification.messages';
