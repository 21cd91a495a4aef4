import { ALERT_RAISED, AlertKind, AlertRaisedEvent } from '@connector/contracts';
import { newRowId } from '@connector/persistence';
import { currentCorrelationId } from '@connector/workers';
import { EntityManager } from 'typeorm';
import { OutboxMessage } from './messaging.entities';

/** What a service says of an alert; the id and the time are added here. */
export type AlertCause = Omit<AlertRaisedEvent, 'alertId' | 'occurredAt'>;

/** Reason texts go out to webhooks: one line, bounded (the contract takes 1000 characters). */
export function alertText(text: string, max = 500): string {
  const line = String(text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** An error code is shown only if it is a short token (a PG SQLSTATE, ECONNRESET, Amazon's `InvalidInput`). */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * What an alert may say of an error: its class and code, never its message. Alerts go to third
 * parties, and messages quote values (PG's `invalid input syntax for type uuid: "<value>"`, a
 * handler's message passed on from another service), which may be a buyer's name; the full
 * message stays in the service (its log, the parked event, the notification's last error),
 * behind the API's keys.
 */
export function errorClass(err: unknown): string {
  if (!(err instanceof Error)) return err === undefined || err === null ? 'no error' : typeof err;
  const name = err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : err.name;
  const safeName = ERROR_CODE.test(name) ? name : 'Error';
  const { code, status } = err as { code?: unknown; status?: unknown };
  // An HTTP status where the error has one (SpApiError: `SpApiError 400 InvalidInput`).
  const parts = [safeName, ...(Number.isInteger(status) ? [String(status)] : [])];
  if ((typeof code === 'string' || typeof code === 'number') && ERROR_CODE.test(String(code))) parts.push(String(code));
  return parts.join(' ');
}

export function newAlert(cause: AlertCause): AlertRaisedEvent {
  return { alertId: newRowId(), occurredAt: new Date().toISOString(), ...cause, summary: alertText(cause.summary, 1000) };
}

/**
 * Writes an `alert.raised` event to the outbox in the caller's transaction: the alert goes out
 * if and only if its cause (the quarantine, the parking, the failure) commits.
 */
export async function raiseAlert(manager: EntityManager, cause: AlertCause): Promise<AlertRaisedEvent> {
  const alert = newAlert(cause);
  // With the correlation id of the work that raised it (as Outbox.add writes it): the webhook's
  // payload carries it, so an alert leads to its cause's log lines.
  await manager.insert(OutboxMessage, { id: newRowId(), subject: ALERT_RAISED.subject, payload: alert, correlationId: currentCorrelationId() ?? null });
  return alert;
}

/**
 * Episodes (credentials refused, sync stalled, a service not ready): `open` answers true only to
 * the first caller of an episode not yet open, `close` only to the first caller after it was
 * open, across replicas (one row in `alert_episodes`), so the alert and its end go out once.
 */
export const AlertEpisodes = {
  async open(manager: EntityManager, kind: AlertKind, subject: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`insert into alert_episodes (kind, subject) values ($1, $2) on conflict do nothing returning kind`, [kind, subject]);
    return rows.length > 0;
  },

  async close(manager: EntityManager, kind: AlertKind, subject: string): Promise<boolean> {
    const [rows] = (await manager.query(`delete from alert_episodes where kind = $1 and subject = $2 returning kind`, [kind, subject])) as [unknown[], number];
    return rows.length > 0;
  },

  /** The subjects of the kind's open episodes. */
  async openSubjects(manager: EntityManager, kind: AlertKind): Promise<string[]> {
    const rows: { subject: string }[] = await manager.query(`select subject from alert_episodes where kind = $1`, [kind]);
    return rows.map((row) => row.subject);
  },
};

/** Opens the episode and raises its alert if it was not open yet; answers whether it did. */
export async function raiseEpisodeAlert(manager: EntityManager, subject: string, cause: AlertCause): Promise<boolean> {
  if (!(await AlertEpisodes.open(manager, cause.kind, subject))) return false;
  await raiseAlert(manager, cause);
  return true;
}

/** Closes the episode and raises its `resolved` alert if it was open; answers whether it did. */
export async function resolveEpisodeAlert(manager: EntityManager, subject: string, cause: AlertCause): Promise<boolean> {
  if (!(await AlertEpisodes.close(manager, cause.kind, subject))) return false;
  await raiseAlert(manager, { ...cause, resolved: true });
  return true;
}
