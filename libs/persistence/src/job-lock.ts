import type { DataSource } from 'typeorm';
import { StallSafeClient } from './data-source';

/**
 * A connection of its own (not from the pool) to the data source's database, with the pool's
 * settings (timeouts, keepalive): for a session that must outlive a pooled query, such as one
 * holding a lock or LISTENing. Not connected yet; the caller ends it.
 */
export function sessionOf(dataSource: DataSource): StallSafeClient {
  const options = dataSource.options as { url?: string; extra?: Record<string, unknown> };
  return new StallSafeClient({ ...options.extra, connectionString: options.url });
}

/** What became of a job run under runAlone: done here, or skipped because another process runs it. */
export type AloneOutcome<T> = { ran: true; value: T } | { ran: false };

/**
 * Runs `work` only if no other process (another replica of the service) runs the job `job` on
 * this database now; otherwise skips it. The lock is a PostgreSQL session advisory lock held by a
 * connection of its own, opened for this run and closed after it: it cannot stay behind on a
 * pooled connection, and it goes with the process if that dies. Jobs are named per schema, so the
 * same job of two services does not exclude the other.
 */
export async function runAlone<T>(dataSource: DataSource, job: string, work: () => Promise<T>): Promise<AloneOutcome<T>> {
  const session = sessionOf(dataSource);
  // An error of the idle session (the server gone) must not crash the process; the run notices on its own.
  session.on('error', () => undefined);
  await session.connect();
  try {
    const key = `${(dataSource.options as { schema?: string }).schema ?? 'public'}:${job}`;
    const [{ locked }] = (await session.query(`select pg_try_advisory_lock(hashtext('periodic job'), hashtext($1)) as locked`, [key])).rows;
    if (!locked) return { ran: false };
    // Ending the session (below) releases the lock: no unlock that could fail and leave it held.
    return { ran: true, value: await work() };
  } finally {
    await endWithin(session, 2000);
  }
}

/** Ends the session; if the server does not answer, drops the socket (the server ends the session, and its lock, on its own). */
async function endWithin(session: StallSafeClient, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([session.end().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
  (session as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
}
