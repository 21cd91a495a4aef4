import { Logger } from '@nestjs/common';
import { ALERT_RAISED, AlertKind } from '@connector/contracts';
import { runMigrations, serviceDataSourceOptions } from '@connector/persistence';
import { TestEnvironment } from '@connector/test-environment';
import { DataSource } from 'typeorm';
import { inNewWorkContext } from '@connector/workers';
import { errorClass, raiseAlert, raiseEpisodeAlert, resolveEpisodeAlert } from './alerts';
import { EventParking } from './event-parking';
import { MESSAGING_MIGRATIONS } from './messaging-tables.migration';
import { MESSAGING_ENTITIES } from './messaging.entities';

/** Alerts written to a service's outbox on real PostgreSQL: with their cause, and once per cause. */
describe('alerts in the outbox', () => {
  const env = new TestEnvironment();
  let db: DataSource;
  const logger = new Logger('alerts-int');
  logger.error = () => undefined;

  const alertsInOutbox = async () =>
    ((await db.query(`select payload from alerting.outbox where subject = $1 order by position`, [ALERT_RAISED.subject])) as { payload: Record<string, any> }[]).map((row) => row.payload);

  beforeAll(async () => {
    await env.setUp();
    const options = serviceDataSourceOptions({ database: env.databaseUrl, schema: 'alerting', entities: MESSAGING_ENTITIES, migrations: MESSAGING_MIGRATIONS });
    await runMigrations(options);
    db = await new DataSource(options).initialize();
  });

  afterAll(async () => {
    await db?.destroy();
    await env.tearDown();
  });

  beforeEach(() => db.query(`delete from alerting.outbox`));

  it('raises event.parked once per parked event, in the parking transaction, never for a parked alert or from the gateway', async () => {
    const parking = new EventParking(db, logger, 'inventory');
    expect(await parking.park('order.synced.v1', 'event-1', '{"giftMessage":"for Erika"}', 'failed 8 times, last: no product for SKU X-1', 8, 'failed 8 times, last: Error')).toBe(true);
    // Its message comes once more (a sibling's retry) and it is parked again: no second alert.
    expect(await parking.park('order.synced.v1', 'event-1', '{"giftMessage":"for Erika"}', 'failed 9 times', 9, 'failed 9 times, last: Error')).toBe(true);
    const alerts = await alertsInOutbox();
    expect(alerts).toEqual([
      expect.objectContaining({
        kind: 'event.parked',
        service: 'inventory',
        summary: 'inventory parked a order.synced.v1 event: failed 8 times, last: Error',
        details: { eventId: 'event-1', subject: 'order.synced.v1', reason: 'failed 8 times, last: Error', deliveries: 8 },
      }),
    ]);
    // Never the payload: events carry gift messages.
    expect(JSON.stringify(alerts)).not.toContain('Erika');

    await parking.park(ALERT_RAISED.subject, 'alert-event', '{}', 'invalid AlertRaisedEvent', 1, 'invalid');
    await new EventParking(db, logger, 'gateway').park('order.synced.v1', 'event-2', '{}', 'invalid', 1, 'invalid');
    expect(await alertsInOutbox()).toHaveLength(1);
    expect((await db.query(`select count(*)::int as n from alerting.parked_events`))[0].n).toBe(3);
  });

  it("never sends a parked event's error message (it may quote the payload's values): its class and code only", async () => {
    // The error PostgreSQL gives for a buyer's name where an id was expected, as a handler meets it.
    const failure = await db.query(`select $1::uuid`, ['Erika Mustermann']).catch((err: Error) => err);
    expect(String((failure as Error).message)).toContain('Erika Mustermann');
    const reason = `failed 8 times, last: ${(failure as Error).message}`;
    const parking = new EventParking(db, logger, 'partner-resolution');
    expect(await parking.park('order.synced.v1', 'event-3', '{"buyer":{"name":"Erika Mustermann"}}', reason, 8, `failed 8 times, last: ${errorClass(failure)}`)).toBe(true);
    const [alert] = await alertsInOutbox();
    expect(alert).toMatchObject({ kind: 'event.parked', summary: 'partner-resolution parked a order.synced.v1 event: failed 8 times, last: QueryFailedError 22P02' });
    expect(JSON.stringify(alert)).not.toContain('Erika');
    // The full reason stays in the service, behind the API.
    expect((await db.query(`select reason from alerting.parked_events where event_id = 'event-3'`))[0].reason).toBe(reason);
    expect(errorClass(Object.assign(new Error('x'), { code: 'has "quoted" text' }))).toBe('Error');
    expect(errorClass('a string with Erika')).toBe('string');
  });

  it('writes the correlation id of the work that raised an alert on its outbox row', async () => {
    await inNewWorkContext({ correlationId: 'run-4711' }, () => db.transaction((manager) => raiseAlert(manager, { kind: AlertKind.EventParked, service: 'inventory', summary: 's', details: {} })));
    await db.transaction((manager) => raiseAlert(manager, { kind: AlertKind.EventParked, service: 'inventory', summary: 'without', details: {} }));
    const rows: { correlation_id: string | null }[] = await db.query(`select correlation_id from alerting.outbox where subject = $1 order by position`, [ALERT_RAISED.subject]);
    expect(rows.map((row) => row.correlation_id)).toEqual(['run-4711', null]);
  });

  it('raises an episode once until it ends, its end once, and a new episode again', async () => {
    const cause = { kind: AlertKind.SyncStalled, service: 'order-ingestion', accountId: '0190f5a4-7c1e-7b8a-9d2e-3f4a5b6c7d8e', summary: 'stalled', details: {} };
    const results = [];
    for (const step of ['raise', 'raise', 'resolve', 'resolve', 'raise'] as const) {
      results.push(await db.transaction((manager) => (step === 'raise' ? raiseEpisodeAlert(manager, cause.accountId, cause) : resolveEpisodeAlert(manager, cause.accountId, cause))));
    }
    expect(results).toEqual([true, false, true, false, true]);
    expect((await alertsInOutbox()).map((a) => [a.kind, a.resolved ?? false])).toEqual([
      ['account.sync_stalled', false],
      ['account.sync_stalled', true],
      ['account.sync_stalled', false],
    ]);
    // A rolled-back cause leaves no alert and no episode.
    await db
      .transaction(async (manager) => {
        await raiseEpisodeAlert(manager, 'another-account', { ...cause, accountId: undefined });
        throw new Error('the cause did not commit');
      })
      .catch(() => undefined);
    expect(await alertsInOutbox()).toHaveLength(3);
    expect(await db.query(`select subject from alerting.alert_episodes`)).toEqual([{ subject: cause.accountId }]);
  });
});
