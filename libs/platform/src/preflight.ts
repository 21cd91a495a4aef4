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

export async function checkNats(url: string, connection: Omit<ConnectionOptions, 'servers'> = {}, timeoutMs = 5000): Promise<void> {
  try {
    const nc = await connect({ ...connection, servers: url, timeout: timeoutMs, reconnect: false });
    await nc.close();
  } catch (err) {
    throw new UnreachableDependency(`cannot reach NATS at NATS_URL=${redactUrl(url)}: ${err.code ?? err.message}`);
  }
}
