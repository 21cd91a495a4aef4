import { PACK_READER_SUFFIX } from './event-pack';

export interface PlannedConsumer {
  /** Durable name: `<service>--<what it reads>`. */
  name: string;
  filter: string;
}

/**
 * A service reads only the events it handles: one durable consumer per event family (the
 * subject's first segment, e.g. `order`), filtered on the one subject it handles in that
 * family, or on the whole family if it handles several. Events of one family keep their
 * order (a cancellation is never seen before the order it cancels); families are independent.
 * (nats-server 2.9 allows one filter per consumer, hence a consumer per family.) Names end in
 * PACK_READER_SUFFIX: this version reads event packs.
 */
export function consumerPlan(service: string, subjectPrefix: string, subjects: string[]): PlannedConsumer[] {
  const families = new Map<string, string[]>();
  for (const subject of subjects) {
    const family = subject.split('.')[0];
    families.set(family, [...(families.get(family) ?? []), subject]);
  }
  return [...families].map(([family, members]) => {
    const reads = members.length === 1 ? members[0] : `${family}.>`;
    const what = reads.replace(/[.>*]/g, (c) => (c === '.' ? '_' : c === '>' ? 'all' : 'any'));
    return { name: `${service}--${what}${PACK_READER_SUFFIX}`, filter: `${subjectPrefix}${reads}` };
  });
}

/** Whether a consumer filtered on `wide` receives every event one filtered on `narrow` does. */
export function covers(wide: string, narrow: string): boolean {
  return wide === narrow || (wide.endsWith('>') && narrow.startsWith(wide.slice(0, -1)));
}
