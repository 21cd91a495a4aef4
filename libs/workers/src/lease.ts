/** Anything that runs SQL: a TypeORM DataSource or EntityManager, or a pg client. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

/**
 * Due rows of a work table, claimed for a while. Table and column names come from code,
 * never from input. `where` may use $1..$n for `parameters`.
 */
export interface DueRows {
  table: string;
  /** What makes a row this worker's kind of due, beside its lease column having passed. */
  where: string;
  parameters?: unknown[];
  orderBy: string;
  limit: number;
  /** The column saying when a row is due; a claim pushes it `leaseSeconds` ahead. */
  leaseColumn: string;
  leaseSeconds: number;
  /** Further assignments made with the claim, e.g. `attempts = attempts + 1`. */
  alsoSet?: string;
}

/**
 * Claims up to `limit` due rows in one statement and returns their ids. `for update skip
 * locked` keeps replicas off each other's rows while claiming; the lease (the due column
 * pushed ahead) keeps them off afterwards, until it runs out: a claimer that dies only
 * delays its rows, and a live one that needs longer keeps its lease alive (keepLeaseAlive).
 */
export async function claimDueRows(db: SqlRunner, rows: DueRows): Promise<string[]> {
  const parameters = rows.parameters ?? [];
  const limit = `$${parameters.length + 1}`;
  const lease = `$${parameters.length + 2}`;
  const result = await db.query(
    `update ${rows.table} set ${rows.leaseColumn} = now() + make_interval(secs => ${lease})${rows.alsoSet ? `, ${rows.alsoSet}` : ''}
      where id in (select id from ${rows.table}
                    where (${rows.where}) and ${rows.leaseColumn} <= now()
                    order by ${rows.orderBy} limit ${limit} for update skip locked)
      returning id`,
    [...parameters, rows.limit, rows.leaseSeconds],
  );
  return returnedRows(result).map((row) => String(row.id));
}

/** The rows of an UPDATE … RETURNING: TypeORM answers [rows, count], a pg client the rows. */
export function returnedRows(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0];
  if (Array.isArray(result)) return result;
  return (result as { rows?: Record<string, unknown>[] })?.rows ?? [];
}

export interface LeaseHeartbeat {
  /** Renews once more and says whether the lease is still ours (false once a renewal found it gone). */
  held(): Promise<boolean>;
  /** Stops renewing; the lease then runs out on its own unless released. */
  stop(): void;
}

/**
 * Keeps a lease alive while work runs, not only between its steps: a step may wait minutes
 * (Amazon's quota), far longer than the lease. `renew` extends it and says whether it is
 * still ours; a failed renewal is reported and tried again at the next beat. `freshForMs`: for
 * that long after the lease was taken (when this is called) or last renewed, `held` answers yes
 * without asking (no one else can take a lease before it runs out); 0 asks every time.
 */
export function keepLeaseAlive(options: {
  renew: () => Promise<boolean>;
  everyMs: number;
  onError: (err: Error) => void;
  freshForMs?: number;
}): LeaseHeartbeat {
  let lost = false;
  let renewedAt = Date.now();
  const renew = async (): Promise<boolean> => {
    const asked = Date.now();
    const renewed = await options.renew();
    if (renewed) renewedAt = Math.max(renewedAt, asked);
    else lost = true;
    return renewed;
  };
  const beat = setInterval(() => {
    renew().catch((err) => options.onError(err instanceof Error ? err : new Error(String(err))));
  }, options.everyMs);
  beat.unref();
  return {
    // Still asks after stop(): a run cut short by shutdown is not told it lost its lease to another replica.
    held: async () => {
      if (lost) return false;
      if (Date.now() - renewedAt < (options.freshForMs ?? 0)) return true;
      return renew();
    },
    stop: () => {
      clearInterval(beat);
      // Its leases may be released now (shutdown): held asks again.
      renewedAt = -Infinity;
    },
  };
}
