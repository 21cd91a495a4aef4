import type { DataSource, EntityManager } from 'typeorm';

/**
 * Work to do once a transaction has committed: waking a worker for rows it just wrote
 * (before the commit the worker would not see them), never inside the transaction.
 * A hook that fails is reported, not thrown: the transaction is already done.
 */
export class AfterCommit {
  private readonly hooks: (() => unknown)[] = [];

  add(hook: () => unknown): void {
    this.hooks.push(hook);
  }

  /** Runs the hooks in the order they were added; called by whoever committed. */
  async run(onError: (err: Error) => void = () => undefined): Promise<void> {
    for (const hook of this.hooks.splice(0)) {
      try {
        await hook();
      } catch (err) {
        onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /** Forgets the hooks (the transaction rolled back). */
  discard(): void {
    this.hooks.length = 0;
  }
}

/** A transaction whose work may add after-commit hooks; they run once it has committed, and never if it rolls back. */
export async function transactionWithHooks<T>(
  dataSource: DataSource,
  work: (manager: EntityManager, afterCommit: AfterCommit) => Promise<T>,
  onHookError?: (err: Error) => void,
): Promise<T> {
  const afterCommit = new AfterCommit();
  let result: T;
  try {
    result = await dataSource.transaction((manager) => work(manager, afterCommit));
  } catch (err) {
    afterCommit.discard();
    throw err;
  }
  await afterCommit.run(onHookError);
  return result;
}
