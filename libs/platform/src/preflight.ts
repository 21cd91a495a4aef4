import { ConnectionOptions, connect } from 'nats';
import { Client } from 'pg';

/** A dependency that is down at start-up: the message names the setting and the address. */
export class UnreachableDependency extends Error {}

/** The URL without its password, safe for a log line. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export async function checkPostgres(url: string, timeoutMs = 5000): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new UnreachableDependency(
      `cannot reach PostgreSQL at DATABASE_URL=${redactUrl(url)}: ${err.code ?? err.message}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A NATS server that lets anyone in, where production needs one that does not. */
export class UnsafeDependency extends Error {}

export async function checkNats(url: string, connection: Omit<ConnectionOptions, 'servers'> = {}, options: { requireAuthentication?: boolean; timeoutMs?: number } = {}): Promise<void> {
  let authRequired: boolean | undefined;
  try {
    const nc = await connect({ ...connection, servers: url, timeout: options.timeoutMs ?? 5000, reconnect: false });
    authRequired = nc.info?.auth_required;
    await nc.close();
  } catch (err) {
    throw new UnreachableDependency(`cannot reach NATS at NATS_URL=${redactUrl(url)}: ${err.code ?? err.message}`);
  }
  // Credentials of ours prove nothing if the server takes anyone: ask the server itself.
  if (options.requireAuthentication && !authRequired) {
    throw new UnsafeDependency(`refusing to start in production (NODE_ENV=production): the NATS server at NATS_URL=${redactUrl(url)} does not require authentication (see docker/nats/nats-server.conf)`);
  }
}
