/*
 * The views (`*View`) are classes, not interfaces, only so the gateway's OpenAPI is generated from
 * them (tools/openapi): plain data, no behaviour; `@example` in their comments goes into the docs.
 */
export * from './accounts';
export * from './common';
export * from './health';
export * from './inventory';
export * from './notifications';
export * from './orders';
export * from './partners';
export * from './access/nats-access';
