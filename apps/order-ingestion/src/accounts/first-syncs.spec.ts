import { FIRST_SYNCS_AT_ONCE, firstSyncOffsetsMs } from './accounts.service';

describe('first syncs of an import', () => {
  it('are due at once for an import the scheduler takes in one batch', () => {
    expect(firstSyncOffsetsMs(Array(FIRST_SYNCS_AT_ONCE).fill(300))).toEqual(Array(FIRST_SYNCS_AT_ONCE).fill(0));
  });

  it('are spread over each account\'s interval, a batch at a time, so they fall due as steadily as later syncs', () => {
    const offsets = firstSyncOffsetsMs(Array(500).fill(300));
    // 25 batches of 20, 12 s apart over the 300 s interval.
    expect(new Set(offsets).size).toBe(25);
    expect(offsets.slice(0, 20)).toEqual(Array(20).fill(0));
    expect(offsets[20]).toBe(12_000);
    expect(offsets[499]).toBe(288_000);
    // An account with a longer interval waits longer in the same batch.
    expect(firstSyncOffsetsMs([...Array(39).fill(60), 3600])).toEqual([...Array(20).fill(0), ...Array(19).fill(30_000), 1_800_000]);
  });
});
