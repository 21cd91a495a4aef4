export * from './event-consumer';
export * from './event-stream';
export * from './messaging-tables.migration';
export * from './messaging.entities';
export * from './messaging.module';
export * from './on-event.decorator';
export * from './outbox';
export * from './single-flight';
