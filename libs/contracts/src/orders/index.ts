export * from './order.events';
export * from './order.messages';
