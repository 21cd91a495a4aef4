export * from './account.messages';
export * from './authorization.messages';
