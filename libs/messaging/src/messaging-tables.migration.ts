import { MigrationInterface, QueryRunner } from 'typeorm';

/** The schema of the service whose data source runs the migration. */
const schemaOf = (queryRunner: QueryRunner) => (queryRunner.connection.options as { schema?: string }).schema ?? 'public';

/** Outbox, processed and parked events, in the schema of the service that runs it. */
export class MessagingTables1764300000000 implements MigrationInterface {
  name = 'MessagingTables1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      create table "${schema}".outbox (
        id uuid primary key,
        position bigserial not null,
        subject text not null,
        payload jsonb not null,
        created_at timestamptz not null default now(),
        published_at timestamptz
      )`);
    await queryRunner.query(`create index outbox_unpublished on "${schema}".outbox (position) where published_at is null`);
    // NOTIFY is delivered at commit, so the relay wakes exactly when there is something to publish.
    await queryRunner.query(`
      create function "${schema}".outbox_notify() returns trigger language plpgsql as $$
      begin perform pg_notify('${schema}_outbox', ''); return null; end $$`);
    await queryRunner.query(`
      create trigger outbox_notify after insert on "${schema}".outbox
      for each statement execute function "${schema}".outbox_notify()`);
    await queryRunner.query(`
      create table "${schema}".processed_events (
        event_id text primary key,
        subject text not null,
        processed_at timestamptz not null default now()
      )`);
    await queryRunner.query(`
      create table "${schema}".parked_events (
        event_id text primary key,
        subject text not null,
        payload text not null,
        reason text not null,
        deliveries int not null,
        parked_at timestamptz not null default now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`drop table "${schema}".parked_events`);
    await queryRunner.query(`drop table "${schema}".processed_events`);
    await queryRunner.query(`drop table "${schema}".outbox`);
    await queryRunner.query(`drop function "${schema}".outbox_notify()`);
  }
}

/**
 * The outbox keeps payloads as json (checked text), not jsonb: they are written once and read
 * back as text by the relay, and jsonb's conversion roughly doubled the cost of each insert.
 */
export class OutboxPayloadAsJson1764400000000 implements MigrationInterface {
  name = 'OutboxPayloadAsJson1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`alter table "${schema}".outbox alter column payload type json using payload::json`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`alter table "${schema}".outbox alter column payload type jsonb using payload::jsonb`);
  }
}

/**
 * What lets events heal: an event's own failures counted apart from its deliveries (a delivery
 * during a database or broker outage is not the event's fault), each consumer's acknowledged
 * position (to re-create a deleted consumer where it stood), and parked events kept as
 * discarded rather than deleted when an operator discards one.
 */
export class EventHealing1764500000000 implements MigrationInterface {
  name = 'EventHealing1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      create table "${schema}".event_failures (
        event_id text primary key,
        subject text not null,
        failures int not null,
        last_reason text not null,
        failed_at timestamptz not null default now()
      )`);
    await queryRunner.query(`
      create table "${schema}".event_consumer_positions (
        consumer text primary key,
        stream text not null,
        ack_floor bigint not null,
        updated_at timestamptz not null default now()
      )`);
    await queryRunner.query(`alter table "${schema}".parked_events add column discarded_at timestamptz`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`alter table "${schema}".parked_events drop column discarded_at`);
    await queryRunner.query(`drop table "${schema}".event_consumer_positions`);
    await queryRunner.query(`drop table "${schema}".event_failures`);
  }
}

/**
 * The correlation id of the work that wrote an event (a request's, a sync run's), published with
 * it so the consumers' work logs under the same id. Rows written before have none.
 */
export class OutboxCorrelationId1765100000000 implements MigrationInterface {
  name = 'OutboxCorrelationId1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`alter table "${schema}".outbox add column correlation_id text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`alter table "${schema}".outbox drop column correlation_id`);
  }
}

/**
 * Alert episodes under way (an account whose credentials Amazon refuses, a sync that stalled, a
 * service that does not answer): one row each, so every replica raises the episode's alert once.
 */
export class AlertEpisodes1765200000000 implements MigrationInterface {
  name = 'AlertEpisodes1765200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const schema = schemaOf(queryRunner);
    await queryRunner.query(`
      create table "${schema}".alert_episodes (
        kind text not null,
        subject text not null,
        opened_at timestamptz not null default now(),
        primary key (kind, subject)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop table "${schemaOf(queryRunner)}".alert_episodes`);
  }
}

/** Every service's migrations for the messaging tables, in order. */
export const MESSAGING_MIGRATIONS = [MessagingTables1764300000000, OutboxPayloadAsJson1764400000000, EventHealing1764500000000, OutboxCorrelationId1765100000000, AlertEpisodes1765200000000];
