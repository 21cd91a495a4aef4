import { counter, gauge, histogram } from '@connector/workers';

// The metrics of durable events (prom-client's default registry, served on /metrics), through
// libs/workers' helpers: a second load of this module shares them rather than throwing.

export const eventProcessing = histogram({
  name: 'connector_event_processing_seconds',
  help: 'Time to handle an event (its handlers and commit; a batch is shared among its events), by event type',
  labelNames: ['event_type'],
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

export const eventRedeliveries = counter({
  name: 'connector_event_redeliveries_total',
  help: 'Messages JetStream delivered again (a retry, an outage, or ack_wait run out), by event type',
  labelNames: ['event_type'],
});

export const eventsParked = counter({
  name: 'connector_events_parked_total',
  help: 'Events parked (unreadable, invalid, or failing every delivery), by event type',
  labelNames: ['event_type'],
});

export const outboxPublished = counter({
  name: 'connector_outbox_events_published_total',
  help: 'Events published from the outbox to JetStream',
});

// From JetStream's consumer info, read by each replica's consumer upkeep (every 5 s): replicas
// of a service report the same consumer, so take the max by consumer.
export const consumerPending = gauge({
  name: 'connector_consumer_pending_messages',
  help: 'Messages of the stream the durable consumer has not yet delivered (num_pending: its lag)',
  labelNames: ['consumer'],
});

export const consumerAckPending = gauge({
  name: 'connector_consumer_ack_pending_messages',
  help: 'Messages delivered to the durable consumer and not yet acknowledged (num_ack_pending)',
  labelNames: ['consumer'],
});

export const consumerRedelivered = gauge({
  name: 'connector_consumer_redelivered_messages',
  help: 'Messages of the durable consumer delivered more than once and not yet acknowledged (num_redelivered)',
  labelNames: ['consumer'],
});
