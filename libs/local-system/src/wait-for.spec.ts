import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first value that is not empty', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls === 3 ? { done: calls } : undefined), { intervalMs: 1 });
    expect(value).toEqual({ done: 3 });
  });

  it('keeps polling through errors and reports the last one on timeout', async () => {
    await expect(
      waitFor(() => {
        throw new Error('not yet');
      }, { timeoutMs: 30, intervalMs: 5, what: 'the thing' }),
    ).rejects.toThrow('timed out after 30 ms waiting for the thing: not yet');
  });
});
