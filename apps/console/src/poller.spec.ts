import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Poller } from './poller';

/** A read that ends when the test says so, like a gateway that answers when it can. */
class Reads {
  readonly started: { at: number; signal: AbortSignal; resolve: (value: string) => void; reject: (error: Error) => void }[] = [];
  readonly read = (signal: AbortSignal) =>
    new Promise<string>((resolve, reject) => {
      this.started.push({ at: Date.now(), signal, resolve, reject });
    });
}

describe('the console poller', () => {
  let reads: Reads;
  let data: string[];
  let errors: unknown[];
  let visible: boolean;
  let poller: Poller<string>;
  const start = (seconds = 5) => {
    poller = new Poller({ read: reads.read, seconds, onData: (d) => data.push(d), onError: (e) => errors.push(e), visible: () => visible });
    poller.now();
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: 0 });
    reads = new Reads();
    data = [];
    errors = [];
    visible = true;
  });
  afterEach(() => {
    poller.stop();
    jest.useRealTimers();
  });

  it('starts no read while one is under way, however slow, and keeps its answer', async () => {
    start();
    await jest.advanceTimersByTimeAsync(30_000);
    expect(reads.started).toHaveLength(1);
    reads.started[0].resolve('slow');
    await jest.advanceTimersByTimeAsync(0);
    expect(data).toEqual(['slow']);
    // The next read comes the period after the last one ended, not after it began.
    await jest.advanceTimersByTimeAsync(4_999);
    expect(reads.started).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(reads.started.map((r) => r.at)).toEqual([0, 35_000]);
  });

  it('aborts the read under way when asked to read now (new inputs), and drops its answer', async () => {
    start();
    poller.now();
    expect(reads.started[0].signal.aborted).toBe(true);
    reads.started[0].resolve('for the old inputs');
    reads.started[1].resolve('for the new ones');
    await jest.advanceTimersByTimeAsync(0);
    expect(data).toEqual(['for the new ones']);
    expect(reads.started).toHaveLength(2);
  });

  it('after a failure, waits twice as long after each next one in a row, up to 60 s, and the period again after a success', async () => {
    start();
    for (let i = 0; i < 6; i++) {
      reads.started.at(-1)!.reject(new Error('503'));
      await jest.advanceTimersToNextTimerAsync();
    }
    const gaps = reads.started.slice(1).map((r, i) => (r.at - reads.started[i].at) / 1000);
    expect(gaps).toEqual([5, 10, 20, 40, 60, 60]);
    expect(errors).toHaveLength(6);
    reads.started.at(-1)!.resolve('back');
    await jest.advanceTimersByTimeAsync(0);
    expect(poller.wait()).toBe(5);
  });

  it('reads nothing while the tab is hidden, and again once it is visible', async () => {
    start();
    reads.started[0].resolve('first');
    visible = false;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(reads.started).toHaveLength(1);
    visible = true;
    await jest.advanceTimersByTimeAsync(5_000);
    expect(reads.started).toHaveLength(2);
  });

  it('reads no more once stopped (the page left), and drops the answer under way', async () => {
    start();
    poller.stop();
    expect(reads.started[0].signal.aborted).toBe(true);
    reads.started[0].resolve('too late');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(data).toEqual([]);
    expect(reads.started).toHaveLength(1);
  });
});
