import { FIRST_SYNCS_AT_ONCE, FIRST_SYNCS_SPREAD_MAX_SECONDS, firstSyncOffsetsMs } from './accounts.service';

const enabled = (n: number, intervalSeconds = 300) => Array.from({ length: n }, () => ({ intervalSeconds, syncEnabled: true }));

describe('first syncs of an import', () => {
  it('are due at once for an import the scheduler takes in one batch', () => {
    expect(firstSyncOffsetsMs(enabled(FIRST_SYNCS_AT_ONCE), 2)).toEqual(Array(FIRST_SYNCS_AT_ONCE).fill(0));
  });

  it('come a batch a scheduler tick, not spread over the interval', () => {
    const offsets = firstSyncOffsetsMs(enabled(500), 2);
    // 25 batches of 20, one 2 s tick apart: the last 48 s after the first, not 288 s.
    expect(new Set(offsets).size).toBe(25);
    expect(offsets.slice(0, 20)).toEqual(Array(20).fill(0));
    expect(offsets[20]).toBe(2_000);
    expect(offsets[499]).toBe(48_000);
    // 21 accounts at a daily interval: the 21st a tick later, not 12 h.
    expect(firstSyncOffsetsMs(enabled(21, 86_400), 2)[20]).toBe(2_000);
    // 40 at 300 s: the second 20 on the next tick, not 150 s later.
    expect(firstSyncOffsetsMs(enabled(40), 2)[39]).toBe(2_000);
  });

  it('never spread beyond FIRST_SYNCS_SPREAD_MAX_SECONDS nor the account\'s interval', () => {
    // A slow tick (60 s) and 25 batches would take 24 min: squeezed into 5 min.
    const slow = firstSyncOffsetsMs(enabled(500, 3600), 60) as number[];
    expect(Math.max(...slow)).toBeLessThan(FIRST_SYNCS_SPREAD_MAX_SECONDS * 1000);
    expect(slow[499]).toBe(288_000);
    // A 60 s interval keeps every first sync within its interval.
    expect(Math.max(...(firstSyncOffsetsMs(enabled(500, 60), 60) as number[]))).toBeLessThan(60_000);
  });

  it('give no slot to accounts with their sync off', () => {
    const accounts = [...enabled(20), { intervalSeconds: 300, syncEnabled: false }, ...enabled(1)];
    const offsets = firstSyncOffsetsMs(accounts, 2);
    expect(offsets[20]).toBeNull();
    expect(offsets[21]).toBe(2_000);
    // 20 enabled and 30 off: one batch, all at once.
    expect(firstSyncOffsetsMs([...enabled(20), ...Array(30).fill({ intervalSeconds: 300, syncEnabled: false })], 2).filter((o) => o !== null)).toEqual(Array(20).fill(0));
  });
});
