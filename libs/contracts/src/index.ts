// The message classes' decorators (class-transformer's @Type) read Reflect metadata as they load:
// whoever loads the contracts gets the polyfill first, entry point or not.
import 'reflect-metadata';
/*
 * The views (`*View`) are classes, not interfaces, only so the gateway's OpenAPI is generated from
 * them (tools/openapi): plain data, no behaviour; `@example` in their comments goes into the docs.
 */
export * from './accounts';
export * from './alerts';
export * from './common';
export * from './health';
export * from './inventory';
export * from './notifications';
export * from './orders';
export * from './parked-events';
export * from './partners';
export * from './access/nats-access';
export * from './catalog';
