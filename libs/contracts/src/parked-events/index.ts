export * from './parked-event.messages';
