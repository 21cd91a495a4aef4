/**
 * Whether an error says a dependency (PostgreSQL, NATS, another service) is away or
 * overloaded, rather than that the work itself is wrong. Such an error is worth waiting out:
 * it must not count toward parking an event or giving up on a row, and a retry with back-off
 * will succeed once the dependency is back. Anything else is the work's own failure.
 */
export function isDependencyOutage(err: unknown): boolean {
  // The connections lost are outages too; what follows is what this wider check adds.
  if (isConnectionOutage(err) || isServiceAway(err)) return true;
  if (!err || typeof err !== 'object') return false;
  const { code, message, driverError } = err as { code?: unknown; message?: unknown; driverError?: unknown };
  // TypeORM wraps the driver's error (QueryFailedError.driverError).
  if (driverError && driverError !== err && isDependencyOutage(driverError)) return true;
  if (typeof code === 'string') {
    // ENOTFOUND; PostgreSQL SQLSTATE 08P01 a protocol violation, class 53 insufficient resources,
    // 57P04 database dropped; 57014 a statement timeout; 55P03 a lock timeout; 25P03 a transaction
    // left idle past its timeout; 40001 and 40P01 a serialization failure or deadlock (the same
    // work succeeds when tried again).
    if (WIDER_CODES.has(code) || /^53/.test(code)) return true;
  }
  return typeof message === 'string' && WIDER_MESSAGES.some((pattern) => pattern.test(message));
}

const WIDER_CODES = new Set(['ENOTFOUND', '08P01', '57P04', '57014', '55P03', '25P03', '40001', '40P01']);

const WIDER_MESSAGES = [
  // node-postgres' query_timeout wherever it appears in a message.
  /Query read timeout/,
  /no answer to \S+ within/i,
];

/** Another service that did not answer or said it cannot now (ServiceClient turns silence into a 503; a gateway's 504). */
export function isServiceAway(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { body } = err as { body?: { statusCode?: unknown } };
  return !!body && (body.statusCode === 503 || body.statusCode === 504);
}

/**
 * Narrower than isDependencyOutage: whether an error says the connection to PostgreSQL or NATS is
 * gone or cannot be had right now, and nothing else. What a request handler answers as a 503 (its
 * caller waits and asks again), so a fault of the work itself is never retried as an outage: a
 * protocol violation (08P01, e.g. too many bind parameters), out of memory or too many connections
 * (class 53), a statement timeout (57014), a lock timeout or a deadlock stay 500s, logged with their
 * stack. ENOTFOUND stays one too: a host name that does not resolve is a setting that is wrong far
 * more often than a dependency away; a DNS server that fails for a moment answers EAI_AGAIN, which counts.
 */
export function isConnectionOutage(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, message, driverError } = err as { code?: unknown; message?: unknown; driverError?: unknown };
  if (driverError && driverError !== err && isConnectionOutage(driverError)) return true;
  if (typeof code === 'string') {
    if (CONNECTION_CODES.has(code) || NATS_CONNECTION_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception) but a protocol violation; 57P01-03 admin or crash
    // shutdown, cannot connect now.
    if ((/^08/.test(code) && code !== '08P01') || /^57P0[1-3]$/.test(code)) return true;
  }
  return typeof message === 'string' && CONNECTION_MESSAGES.some((pattern) => pattern.test(message));
}

// ETIMEDOUT: a connection TCP keepalive found dead (keepAlive, data-source.ts) or a connect the OS gave up on.
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// nats.js ErrorCode; TIMEOUT, 503 and NO_RESPONDERS: JetStream (or the server) not answering a handler's publish or request.
const NATS_CONNECTION_CODES = new Set(['CONNECTION_CLOSED', 'CONNECTION_DRAINING', 'CONNECTION_REFUSED', 'CONNECTION_TIMEOUT', 'DISCONNECT', 'TIMEOUT', '503', 'NO_RESPONDERS']);

const CONNECTION_MESSAGES = [
  /Connection terminated/i,
  /Connection lost/i,
  /connection (is )?closed/i,
  // node-postgres' pool: no connection within its connect timeout.
  /timeout exceeded when trying to connect/i,
  // node-postgres' query_timeout, set past statement_timeout (libs/persistence): no answer at all, a
  // silent server or network (a slow statement is cancelled by the server first, 57014).
  /^Query read timeout$/,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /terminating connection due to administrator command/i,
];
