export * from './event-consumer';
export { PACK_READER_SUFFIX } from './event-pack';
export * from './event-stream';
export * from './messaging-tables.migration';
export * from './messaging.entities';
export * from './messaging.module';
export * from './on-event.decorator';
export * from './outbox';
export * from './parked-events.retention';
