import { Logger } from '@nestjs/common';
import { AckPolicy, ConsumerEvents, ConsumerInfo, ConsumerMessages, DeliverPolicy, StreamInfo } from 'nats';
import { DataSource } from 'typeorm';
import { covers, PlannedConsumer } from './consumer-plan';
import { EventStream } from './event-stream';

/** Messages a consumer pulls at a time, as many as it may have unacknowledged (max_ack_pending). */
export const PULL_MESSAGES = 100;

/**
 * Creates the planned consumers that are missing and deletes this service's others (an
 * older plan's). A new consumer starts where the service's consumers that read any of its
 * subjects stood: at the first event one of them had not acknowledged, or after the
 * stream's last event if all of them were caught up. So an upgrade neither replays handled
 * events nor skips pending ones, and a subject new to a running service is read from now
 * on (as a new handler always was). A service's very first start reads the whole stream.
 * A consumer this service had before (deleted from the stream by hand or lost with a NATS
 * store) is made again where it stood: after its last recorded acknowledged event
 * (`positions`, of this very stream; see ConsumerPositions). Events handled since that record
 * come again and are skipped by their processed-event records: nothing is skipped, nothing doubled.
 */
export async function ensureConsumers(stream: EventStream, durableName: string, plan: PlannedConsumer[], logger: Logger, positions = new Map<string, number>()): Promise<void> {
  const jsm = await stream.manager();
  const ours = (await jsm.consumers.list(stream.streamName).next()).filter(
    (c) => c.name === durableName || c.name.startsWith(`${durableName}--`),
  );
  const next = (await jsm.streams.info(stream.streamName)).state.last_seq + 1;
  const position = (c: ConsumerInfo) => (c.num_pending === 0 && c.num_ack_pending === 0 ? next : c.ack_floor.stream_seq + 1);
  for (const { name, filter } of plan) {
    if (ours.some((c) => c.name === name)) continue;
    const overlapping = ours.filter((c) => covers(c.config.filter_subject ?? '>', filter) || covers(filter, c.config.filter_subject ?? '>'));
    const recorded = positions.get(name);
    // A consumer of ours still reading these events knows best (an upgrade); the recorded
    // position counts when none does (the consumer was deleted, or lost with NATS's store).
    const fromRecord = !overlapping.length && recorded !== undefined;
    const startSeq = overlapping.length ? Math.min(...overlapping.map(position)) : fromRecord ? Math.min(recorded + 1, next) : ours.length ? next : undefined;
    if (fromRecord) logger.warn(`event consumer ${name} was missing: made again from stream sequence ${startSeq}, after the last it had acknowledged`);
    const config = {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      ...(startSeq ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq } : { deliver_policy: DeliverPolicy.All }),
      filter_subject: filter,
      ack_wait: 30 * 1e9,
      // Messages, and a message may be a pack of up to 100 events: at most about 10,000
      // events in flight, seconds of work, well within ack_wait.
      max_ack_pending: PULL_MESSAGES,
    };
    await jsm.consumers.add(stream.streamName, config).catch(async (err) => {
      // A replica starting at the same time may have added it first.
      await jsm.consumers.info(stream.streamName, name).catch(() => {
        throw err;
      });
    });
  }
  for (const stale of ours.filter((c) => !plan.some((p) => p.name === c.name))) {
    await jsm.consumers.delete(stream.streamName, stale.name).then(
      () => logger.log(`replaced event consumer ${stale.name}`),
      // Left on the stream, it keeps the relay from sending packs: say so, loudly.
      (err) => logger.error(`could not delete the old event consumer ${stale.name} (delete it by hand: nats consumer rm): ${err.message}`),
    );
  }
}

/** Says when the consumer (or the whole stream) is gone from the server, so it is made again at once. */
export async function watchConsumer(name: string, messages: ConsumerMessages, logger: Logger, onGone: () => void): Promise<void> {
  for await (const status of await messages.status()) {
    if (status.type === ConsumerEvents.ConsumerDeleted || status.type === ConsumerEvents.ConsumerNotFound || status.type === ConsumerEvents.StreamNotFound) {
      logger.warn(`event consumer ${name} is gone (${status.type}): making it again`);
      onGone();
    }
  }
}

/**
 * Which life of the stream a position belongs to: a stream deleted and made again restarts its
 * sequences at 1, so a position recorded on the old one means nothing on the new one.
 */
export function streamIncarnation(info: StreamInfo): string {
  return `${info.config.name}@${info.created}`;
}

/**
 * The ack floor of each of the service's durable consumers, kept in its own PostgreSQL (next to
 * processed_events): the stream's record of it goes with a deleted consumer.
 */
export class ConsumerPositions {
  private readonly saved = new Map<string, number>();

  constructor(private readonly dataSource: DataSource) {}

  /** Positions recorded on this life of the stream, by consumer name. */
  async load(incarnation: string): Promise<Map<string, number>> {
    const rows: { consumer: string; ack_floor: string }[] = await this.dataSource.query(`select consumer, ack_floor from event_consumer_positions where stream = $1`, [incarnation]);
    return new Map(rows.map((row) => [row.consumer, Number(row.ack_floor)]));
  }

  /** Records the floors that moved since the last save (a few rows every few seconds at most). */
  async save(incarnation: string, floors: { consumer: string; floor: number }[]): Promise<void> {
    const moved = floors.filter(({ consumer, floor }) => this.saved.get(`${incarnation} ${consumer}`) !== floor);
    if (moved.length === 0) return;
    await this.dataSource.query(
      `insert into event_consumer_positions (consumer, stream, ack_floor, updated_at)
       select consumer, $1, floor, now() from unnest($2::text[], $3::bigint[]) as t(consumer, floor)
       on conflict (consumer) do update set stream = excluded.stream, ack_floor = excluded.ack_floor, updated_at = now()`,
      [incarnation, moved.map((m) => m.consumer), moved.map((m) => m.floor)],
    );
    for (const { consumer, floor } of moved) this.saved.set(`${incarnation} ${consumer}`, floor);
  }
}
