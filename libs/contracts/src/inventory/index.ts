export * from './carrier-codes';
export * from './delivery.events';
export * from './inventory.messages';
export * from './carrier-mapping.messages';
export * from './ship-from.messages';
export * from './location.messages';
export * from './listing.events';
