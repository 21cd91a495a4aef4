import { readFileSync } from 'node:fs';
import { ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from 'nats';

/** The NATS settings every service reads (see ServiceSettings). */
export interface NatsSettings {
  NATS_URL: string;
  NATS_USER: string;
  NATS_PASSWORD: string;
  NATS_TOKEN: string;
  NATS_CREDENTIALS_FILE: string;
  NATS_NKEY_SEED_FILE: string;
  NATS_TLS_CA_FILE: string;
  NATS_TLS_CERT_FILE: string;
  NATS_TLS_KEY_FILE: string;
}

/** How a service authenticates to NATS, or `none`. */
export function natsAuthMethod(settings: NatsSettings): 'user' | 'token' | 'credentials' | 'nkey' | 'none' {
  if (settings.NATS_CREDENTIALS_FILE) return 'credentials';
  if (settings.NATS_NKEY_SEED_FILE) return 'nkey';
  if (settings.NATS_TOKEN) return 'token';
  if (settings.NATS_USER) return 'user';
  return 'none';
}

/** What is wrong with the NATS settings taken together, or undefined. */
export function natsSettingsProblem(settings: NatsSettings): string | undefined {
  const methods = [settings.NATS_CREDENTIALS_FILE, settings.NATS_NKEY_SEED_FILE, settings.NATS_TOKEN, settings.NATS_USER].filter(Boolean);
  if (methods.length > 1) return 'NATS_USER, NATS_TOKEN, NATS_CREDENTIALS_FILE and NATS_NKEY_SEED_FILE: set one way to authenticate, not several';
  if (!!settings.NATS_USER !== !!settings.NATS_PASSWORD) return 'NATS_USER and NATS_PASSWORD go together';
  if (!!settings.NATS_TLS_CERT_FILE !== !!settings.NATS_TLS_KEY_FILE) return 'NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together';
  // The nats client ignores credentials written into the URL: say so instead of connecting without them.
  try {
    const url = new URL(settings.NATS_URL.replace(/^(nats|tls):/, 'http:'));
    if (url.username || url.password) return 'NATS_URL must not hold a user or password (the client ignores them): use NATS_USER and NATS_PASSWORD';
  } catch {
    /* the URL's own rule reports it */
  }
  for (const key of ['NATS_CREDENTIALS_FILE', 'NATS_NKEY_SEED_FILE', 'NATS_TLS_CA_FILE', 'NATS_TLS_CERT_FILE', 'NATS_TLS_KEY_FILE'] as const) {
    if (!settings[key]) continue;
    try {
      readFileSync(settings[key]);
    } catch (err) {
      return `${key}: cannot read ${settings[key]} (${err.code ?? err.message})`;
    }
  }
  return undefined;
}

/**
 * Connection options for every NATS connection of a service (request/reply server and client,
 * the event stream, the start-up check): the same authentication and TLS everywhere.
 */
export function natsConnectionOptions(settings: NatsSettings): Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token' | 'authenticator' | 'tls'> {
  const options: Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token' | 'authenticator' | 'tls'> = { servers: settings.NATS_URL };
  switch (natsAuthMethod(settings)) {
    case 'credentials':
      options.authenticator = credsAuthenticator(new Uint8Array(readFileSync(settings.NATS_CREDENTIALS_FILE)));
      break;
    case 'nkey':
      options.authenticator = nkeyAuthenticator(new TextEncoder().encode(readFileSync(settings.NATS_NKEY_SEED_FILE, 'utf8').trim()));
      break;
    case 'token':
      options.token = settings.NATS_TOKEN;
      break;
    case 'user':
      options.user = settings.NATS_USER;
      options.pass = settings.NATS_PASSWORD;
      break;
  }
  if (settings.NATS_TLS_CA_FILE || settings.NATS_TLS_CERT_FILE || settings.NATS_URL.startsWith('tls://')) {
    options.tls = {
      ...(settings.NATS_TLS_CA_FILE ? { caFile: settings.NATS_TLS_CA_FILE } : {}),
      ...(settings.NATS_TLS_CERT_FILE ? { certFile: settings.NATS_TLS_CERT_FILE, keyFile: settings.NATS_TLS_KEY_FILE } : {}),
    };
  }
  return options;
}
