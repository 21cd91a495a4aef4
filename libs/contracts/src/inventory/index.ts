export * from './carrier-codes';
export * from './delivery.events';
export * from './inventory.messages';
