import { eachPage, StepsInFlight } from './each-page';

const waitUntil = async (done: () => boolean) => {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 1));
};

describe('eachPage: a paged walk with pages prepared ahead', () => {
  const never = <T>() => new Promise<T>(() => undefined);

  it('fails at once when a page fails to prepare while the next fetch still waits (Amazon quota), leaving no rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const committed: number[] = [];
      const walk = eachPage<number, number>(
        // Page 1 comes at once; page 2 waits for a quota that does not come back during the test.
        async (token) => (token ? never<number>() : 1),
        () => 'next',
        async (page) => {
          throw new Error(`Validation failed on page ${page}`);
        },
        async (page) => void committed.push(page),
        3,
      );
      await expect(walk).rejects.toThrow('Validation failed on page 1');
      expect(committed).toEqual([]);
      // Give Node a turn to report anything left unhandled.
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('tells the commit of the last page that it is the last (the run writes its progress at its end instead), with pages prepared ahead or not', async () => {
    for (const depth of [1, 3]) {
      const seen: [number, boolean][] = [];
      await eachPage<number, number>(
        async (token) => Number(token ?? 1),
        (page) => (page < 4 ? String(page + 1) : undefined),
        async (page) => page,
        async (page, last) => void seen.push([page, last]),
        depth,
      );
      expect(seen).toEqual([[1, false], [2, false], [3, false], [4, true]]);
    }
    const single: boolean[] = [];
    await eachPage<number, number>(async () => 1, () => undefined, async (page) => page, async (_, last) => void single.push(last));
    expect(single).toEqual([true]);
  });

  it('commits every page in order, one at a time, while later pages prepare', async () => {
    const log: string[] = [];
    let committing = 0;
    await eachPage<number, number>(
      async (token) => Number(token ?? 1),
      (page) => (page < 5 ? String(page + 1) : undefined),
      async (page) => {
        log.push(`prepare ${page}`);
        return page;
      },
      async (page) => {
        committing++;
        expect(committing).toBe(1);
        await new Promise((resolve) => setTimeout(resolve, 5));
        log.push(`commit ${page}`);
        committing--;
      },
      3,
    );
    expect(log.filter((line) => line.startsWith('commit'))).toEqual(['commit 1', 'commit 2', 'commit 3', 'commit 4', 'commit 5']);
  });

  it('names the steps it waits on, page by page (said when a run is abandoned)', async () => {
    const steps = new StepsInFlight();
    let seen = '';
    const walk = eachPage<number, number>(
      async (token) => (token === '3' ? new Promise<number>(() => undefined) : Number(token ?? 1)),
      (page) => String(page + 1),
      async (page) => {
        if (page === 2) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          seen = steps.describe();
          throw new Error('stop');
        }
        return page;
      },
      async () => undefined,
      3,
      { steps },
    );
    await expect(walk).rejects.toThrow('stop');
    expect(seen).toBe('fetch page 3, prepare page 2');
    expect(steps.describe()).toBe('fetch page 3');
  });

  it('starts no further step once called off: no fetch, no preparation, no commit', async () => {
    const calledOff = new AbortController();
    const log: string[] = [];
    let releasePage1!: () => void;
    const page1Prepared = new Promise<void>((resolve) => (releasePage1 = resolve));
    const walk = eachPage<number, number>(
      async (token) => (log.push(`fetch ${token ?? 1}`), Number(token ?? 1)),
      (page) => (page < 3 ? String(page + 1) : undefined),
      async (page) => {
        log.push(`prepare ${page}`);
        if (page === 1) await page1Prepared;
        return page;
      },
      async (page) => void log.push(`commit ${page}`),
      1,
      { signal: calledOff.signal },
    );
    await waitUntil(() => log.includes('prepare 1'));
    calledOff.abort(new Error('abandoned: no progress'));
    releasePage1();
    await expect(walk).rejects.toThrow('abandoned: no progress');
    expect(log).toEqual(['fetch 1', 'fetch 2', 'prepare 1']);
  });

  it('waits for a commit under way before it reports a later page\'s failure', async () => {
    const log: string[] = [];
    const walk = eachPage<number, number>(
      async (token) => Number(token ?? 1),
      (page) => (page < 2 ? '2' : undefined),
      async (page) => {
        if (page === 2) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          throw new Error('page 2 refused');
        }
        return page;
      },
      async (page) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        log.push(`committed ${page}`);
      },
      3,
    );
    await expect(walk).rejects.toThrow('page 2 refused');
    expect(log).toEqual(['committed 1']);
  });
});
