import { Logger } from '@nestjs/common';
import { AckPolicy, ConsumerEvents, ConsumerInfo, ConsumerMessages, DeliverPolicy } from 'nats';
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
 */
export async function ensureConsumers(stream: EventStream, durableName: string, plan: PlannedConsumer[], logger: Logger): Promise<void> {
  const jsm = await stream.manager();
  const ours = (await jsm.consumers.list(stream.streamName).next()).filter(
    (c) => c.name === durableName || c.name.startsWith(`${durableName}--`),
  );
  const next = (await jsm.streams.info(stream.streamName)).state.last_seq + 1;
  const position = (c: ConsumerInfo) => (c.num_pending === 0 && c.num_ack_pending === 0 ? next : c.ack_floor.stream_seq + 1);
  for (const { name, filter } of plan) {
    if (ours.some((c) => c.name === name)) continue;
    const overlapping = ours.filter((c) => covers(c.config.filter_subject ?? '>', filter) || covers(filter, c.config.filter_subject ?? '>'));
    const startSeq = overlapping.length ? Math.min(...overlapping.map(position)) : ours.length ? next : undefined;
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

/** A replica of another version may delete a consumer this one reads: say so loudly. */
export async function watchConsumer(name: string, messages: ConsumerMessages, logger: Logger): Promise<void> {
  for await (const status of await messages.status()) {
    if (status.type === ConsumerEvents.ConsumerDeleted || status.type === ConsumerEvents.ConsumerNotFound) {
      logger.error(`event consumer ${name} is gone (${status.type}): this replica receives none of its events until restarted`);
    }
  }
}
