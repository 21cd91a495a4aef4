/**
 * Walks a paged answer as a pipeline: while page n commits, the next pages are fetched and
 * prepared (up to `depth` at once), so Amazon's quota and not our writes sets the pace.
 * Commits happen one at a time and in page order; the first failure stops the walk.
 */
export async function eachPage<P, Q>(
  fetch: (token?: string) => Promise<P>,
  nextToken: (page: P) => string | undefined,
  prepare: (page: P) => Promise<Q>,
  commit: (prepared: Q) => Promise<void>,
  depth = 1,
): Promise<void> {
  let pending: Promise<P> | undefined = fetch(undefined);
  const preparing: Promise<Q>[] = [];
  let committing: Promise<void> = Promise.resolve();
  try {
    while (pending || preparing.length) {
      while (pending && preparing.length < depth) {
        const page: P = await pending;
        const token = nextToken(page);
        pending = token ? fetch(token) : undefined;
        preparing.push(prepare(page));
      }
      const prepared = await preparing.shift()!;
      await committing;
      committing = commit(prepared);
    }
    await committing;
  } catch (err) {
    // Whatever is still in flight is dropped; the run fails on the first error.
    pending?.catch(() => undefined);
    preparing.forEach((p) => void p.catch(() => undefined));
    committing.catch(() => undefined);
    throw err;
  }
}
