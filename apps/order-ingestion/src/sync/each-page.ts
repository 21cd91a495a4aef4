/**
 * Walks a paged answer as a pipeline: while page n commits, the next pages are fetched and
 * prepared (up to `depth` at once), so Amazon's quota and not our writes sets the pace.
 * Commits happen one at a time and in page order; the first failure stops the walk.
 *
 * Every step in flight is watched from the moment it starts: a page whose preparation fails
 * while the walk waits for another page (Amazon's quota can hold a fetch for minutes) stops the
 * walk at once, and its rejection is never left unhandled (that was the "unhandled rejection:
 * Error: Validation failed" of a run that went on waiting).
 */
export async function eachPage<P, Q>(
  fetch: (token?: string) => Promise<P>,
  nextToken: (page: P) => string | undefined,
  prepare: (page: P) => Promise<Q>,
  /** `last`: no page follows it (nothing fetched or prepared after it). */
  commit: (prepared: Q, last: boolean) => Promise<void>,
  depth = 1,
  { steps, signal }: { steps?: StepsInFlight; signal?: AbortSignal } = {},
): Promise<void> {
  let fetched = 0;
  // Once the walk is called off (its run abandoned), no further step starts: no call to
  // Amazon, no request to another service, no commit.
  const numbered = <T>(what: string, page: number, start: () => Promise<T>): Promise<T> => {
    if (signal?.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error(`called off before ${what} page ${page}`));
    const step = start();
    return steps ? steps.track(`${what} page ${page}`, step) : step;
  };
  let failWalk!: (err: unknown) => void;
  const failed = new Promise<never>((_, reject) => (failWalk = reject));
  // Nobody may be awaiting `failed` when it rejects; the walk's own awaits see it.
  failed.catch(() => undefined);
  const watched = <T>(step: Promise<T>): Promise<T> => {
    step.catch(failWalk);
    return step;
  };
  /** The step's outcome, or the first failure of any step in flight, whichever comes first. */
  const until = <T>(step: Promise<T>): Promise<T> => Promise.race([step, failed]);

  let pending: Promise<P> | undefined = watched(numbered('fetch', ++fetched, () => fetch(undefined)));
  const preparing: Promise<Q>[] = [];
  let committed = 0;
  let committing: Promise<void> = Promise.resolve();
  try {
    while (pending || preparing.length) {
      while (pending && preparing.length < depth) {
        const page: P = await until(pending);
        const token = nextToken(page);
        pending = token ? watched(numbered('fetch', fetched + 1, () => fetch(token))) : undefined;
        preparing.push(watched(numbered('prepare', fetched, () => prepare(page))));
        if (token) fetched++;
      }
      const prepared = await until(preparing.shift()!);
      await until(committing);
      const last = !pending && preparing.length === 0;
      committing = watched(numbered('commit', ++committed, () => commit(prepared, last)));
    }
    await until(committing);
  } catch (err) {
    // A commit under way finishes (or fails) before the walk reports: the caller must not
    // record the run as ended, or release its lease, while a page of it is still being written.
    await committing.catch(() => undefined);
    throw err;
  }
}

/** What a walk is waiting on at the moment ("fetch page 5, prepare page 4"): said when a run is abandoned. */
export class StepsInFlight {
  private readonly steps = new Set<string>();

  track<T>(what: string, step: Promise<T>): Promise<T> {
    this.steps.add(what);
    const done = () => void this.steps.delete(what);
    void step.then(done, done);
    return step;
  }

  describe(): string {
    return this.steps.size ? [...this.steps].join(', ') : 'no step of a page';
  }
}
