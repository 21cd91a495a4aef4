export * from './account.messages';
