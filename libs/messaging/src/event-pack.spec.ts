import { DELIVERY_CREATED, ORDER_SYNCED } from '@connector/contracts';
import { HEADER_ROOM_BYTES, packEvents, packLimitFor, PACK_MAX_BYTES, PACK_MAX_EVENTS, unpackEvents } from './event-pack';

const event = (i: number, subject = ORDER_SYNCED.subject, payload = `{"n":${i}}`) => ({ id: `id-${i}`, subject, payload });

describe('event packs', () => {
  it('packs consecutive events of one subject, in order, and each comes out with its id and payload', () => {
    const events = [event(1), event(2), event(3, DELIVERY_CREATED.subject), event(4)];
    const packs = packEvents(events);
    expect(packs.map((p) => [p.subject, p.pack, p.id.split('.').slice(0, 3).join('.')])).toEqual([
      [ORDER_SYNCED.subject, 2, 'id-1..id-2'],
      [DELIVERY_CREATED.subject, 1, 'id-3..id-3'],
      [ORDER_SYNCED.subject, 1, 'id-4..id-4'],
    ]);
    expect(packs.flatMap((p) => unpackEvents(p.data))).toEqual([1, 2, 3, 4].map((n) => ({ id: `id-${n}`, payload: { n } })));
  });

  it("keeps each event's correlation id in the pack, and names the one its events share on the message", () => {
    const correlated = (i: number, correlationId?: string) => ({ ...event(i), correlationId });
    const [shared] = packEvents([correlated(1, 'run-1'), correlated(2, 'run-1')]);
    expect(shared.correlationId).toBe('run-1');
    const [mixed] = packEvents([correlated(1, 'run-1'), correlated(2, 'request-2'), correlated(3)]);
    expect(mixed.correlationId).toBeUndefined();
    expect(unpackEvents(mixed.data)).toEqual([
      { id: 'id-1', correlationId: 'run-1', payload: { n: 1 } },
      { id: 'id-2', correlationId: 'request-2', payload: { n: 2 } },
      { id: 'id-3', payload: { n: 3 } },
    ]);
  });

  it('names a pack by all its events: the same events give the same id, one more in between a new one', () => {
    const [first] = packEvents([event(1), event(3)]);
    expect(packEvents([event(1), event(3)])[0].id).toBe(first.id);
    // Event 2 committed after a first attempt to publish 1 and 3 failed: not a duplicate of it.
    expect(packEvents([event(1), event(2), event(3)])[0].id).not.toBe(first.id);
    expect(first.id.startsWith('id-1..id-3.')).toBe(true);
  });

  it('keeps a pack within its event count and size', () => {
    const many = Array.from({ length: PACK_MAX_EVENTS * 2 + 1 }, (_, i) => event(i));
    expect(packEvents(many).map((p) => p.pack)).toEqual([PACK_MAX_EVENTS, PACK_MAX_EVENTS, 1]);
    const big = `{"text":"${'x'.repeat(PACK_MAX_BYTES / 3)}"}`;
    const packs = packEvents([event(1, 's', big), event(2, 's', big), event(3, 's', big), event(4, 's', big)]);
    expect(packs.map((p) => p.pack)).toEqual([2, 2]);
    expect(packs.every((p) => Buffer.byteLength(p.data) <= PACK_MAX_BYTES)).toBe(true);
  });

  it('counts bytes, not characters: text of three-byte characters makes smaller packs', () => {
    const wide = `{"text":"${'€'.repeat(PACK_MAX_BYTES / 9)}"}`;
    const packs = packEvents([event(1, 's', wide), event(2, 's', wide), event(3, 's', wide), event(4, 's', wide)]);
    expect(packs.map((p) => p.pack)).toEqual([2, 2]);
    expect(packs.every((p) => Buffer.byteLength(p.data) <= PACK_MAX_BYTES)).toBe(true);
  });

  it('keeps packs within a server that takes less than the default, leaving room for headers', () => {
    expect(packLimitFor(1024 * 1024)).toBe(PACK_MAX_BYTES);
    expect(packLimitFor(64 * 1024)).toBe(64 * 1024 - HEADER_ROOM_BYTES);
    const events = Array.from({ length: 10 }, (_, i) => event(i, 's', `{"text":"${'x'.repeat(20_000)}"}`));
    const packs = packEvents(events, packLimitFor(64 * 1024));
    expect(packs.map((p) => p.pack)).toEqual([3, 3, 3, 1]);
    expect(packs.every((p) => Buffer.byteLength(p.data) <= 64 * 1024 - HEADER_ROOM_BYTES)).toBe(true);
  });

  it('an event larger than a pack still goes, alone', () => {
    const huge = `{"text":"${'x'.repeat(PACK_MAX_BYTES)}"}`;
    expect(packEvents([event(1), event(2, ORDER_SYNCED.subject, huge), event(3)]).map((p) => p.pack)).toEqual([1, 1, 1]);
  });

  it('refuses a body that is not a pack', () => {
    expect(() => unpackEvents('{"n":1}')).toThrow('not a pack of events');
    expect(() => unpackEvents('[{"payload":{}}]')).toThrow('not a pack of events');
    expect(() => unpackEvents('[')).toThrow();
    expect(() => unpackEvents('[]')).toThrow('not a pack of events');
  });
});
