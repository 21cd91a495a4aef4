export * from './notification.messages';
export * from './stock-sync.messages';
