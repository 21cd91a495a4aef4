/**
 * Fields never written to a log line whatever object carries them, at the top of a logged
 * object or up to three levels down (pino's `redact`, censored as "[redacted]"): credentials of
 * the API, of Amazon and of NATS, and buyers' personal data. Log calls write messages, not
 * objects they were handed, and never request or response bodies; this is the net beneath.
 */
const SECRET_FIELDS = [
  'authorization',
  'cookie',
  'apiKey',
  'password',
  'secret',
  'clientSecret',
  'refreshToken',
  'accessToken',
  'token',
  'credentials',
];
const PERSONAL_FIELDS = [
  'buyer',
  'buyerInfo',
  'BuyerInfo',
  'buyerName',
  'buyerEmail',
  'BuyerEmail',
  'BuyerName',
  'name',
  'email',
  'phone',
  'address',
  'shippingAddress',
  'ShippingAddress',
  'deliveryAddress',
  'recipient',
  'giftMessage',
  'GiftMessageText',
];

export const REDACTED_FIELDS = [...SECRET_FIELDS, ...PERSONAL_FIELDS];

/** pino `redact.paths` for the fields above, and the headers of HTTP requests and responses. */
export function redactedPaths(): string[] {
  const paths = ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'res.headers["set-cookie"]'];
  for (const field of REDACTED_FIELDS) {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    paths.push(key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`);
  }
  return paths;
}

export const REDACTED = '[redacted]';
