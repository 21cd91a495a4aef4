import { maxPayloadOf, messageBudgetFor, NATS_DEFAULT_MAX_PAYLOAD } from './max-payload';

describe('NATS max_payload', () => {
  it('is what the server said, else the default', () => {
    expect(maxPayloadOf({ info: { max_payload: 65_536 } })).toBe(65_536);
    expect(maxPayloadOf({})).toBe(NATS_DEFAULT_MAX_PAYLOAD);
    expect(maxPayloadOf(undefined)).toBe(NATS_DEFAULT_MAX_PAYLOAD);
  });

  it('leaves room for headers and the envelope: 900 KiB of 1 MiB, an eighth of a smaller one', () => {
    expect(messageBudgetFor(1024 * 1024)).toBe(900 * 1024);
    expect(messageBudgetFor(64 * 1024)).toBe(56 * 1024);
    expect(messageBudgetFor(8 * 1024 * 1024)).toBe(8 * 1024 * 1024 - 124 * 1024);
  });
});
