// Structured logs of every service: pino (through nestjs-pino for Nest), the work context
// (correlation id, account, Amazon order) on every line, redaction, HTTP access lines.
export { CORRELATION_ID_HEADER, REQUEST_ID_HEADER, WorkContext, inWorkContext, workContext, isValidCorrelationId, newCorrelationId } from '@connector/workers';
export * from './logger';
export * from './redaction';
export * from './http-logging';
