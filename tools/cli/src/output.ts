import { ApiRefusal, GatewayUnreachable, UsageError } from './gateway-client';

/** What a script may rely on (README, "Command line"). */
export const EXIT = {
  ok: 0,
  /** The gateway answered and refused: not found, bad input, a scope the key lacks, a wrong key, a failed sync run. */
  refused: 1,
  /** The command line itself is wrong: an unknown command or option, a missing value, no API key. */
  usage: 2,
  /** No answer from the gateway. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof ApiRefusal || error instanceof RunFailed || error instanceof NotFound || error instanceof ImportIncomplete) return EXIT.refused;
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof GatewayUnreachable) return EXIT.unreachable;
  // A fault of the CLI itself: not a refusal of the API, and not something a retry would fix.
  return EXIT.refused;
}

/** An import of accounts of which some were refused (each said on its line). */
export class ImportIncomplete extends Error {}

/** A sync run followed to its end, which failed. */
export class RunFailed extends Error {}

/** What the command looked for through the API is not there (an order by its Amazon id, a quarantined order). */
export class NotFound extends Error {}

/** The error in words for the terminal (stderr), with each failing field the gateway named. */
export function describeError(error: unknown): string {
  if (error instanceof ApiRefusal) {
    const { problem, status } = error;
    const title = problem.title ? ` ${problem.title}` : '';
    const detail = problem.detail ?? (Array.isArray(problem.message) ? problem.message.join('; ') : problem.message);
    const lines = [`error: the gateway refused ${error.method} ${error.path} (${status}${title})${detail ? `: ${detail}` : ''}`];
    if (status === 401) lines.push('  the API key was not accepted: check --key or CONNECTOR_API_KEY');
    for (const field of problem.details ?? []) lines.push(`  ${field.field}: ${field.errors.join('; ')}`);
    return lines.join('\n');
  }
  if (error instanceof GatewayUnreachable) return `error: ${error.message} (is it running? check --url or CONNECTOR_URL)`;
  if (error instanceof UsageError || error instanceof RunFailed || error instanceof NotFound || error instanceof ImportIncomplete) return `error: ${error.message}`;
  return `error: ${error instanceof Error ? error.message : String(error)}`;
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** Rows as a plain text table, columns padded to their widest cell; long cells are cut with an ellipsis. */
export function table<T>(columns: Column<T>[], rows: T[], maxCellWidth = 60): string {
  const cells = rows.map((row) => columns.map((column) => cell(column.value(row), maxCellWidth)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]) => values.map((value, i) => (i === values.length - 1 ? value : value.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns.map((column) => column.header.toUpperCase())), ...cells.map(line)].join('\n');
}

/** Label-value lines of one record. */
export function fields(pairs: [string, unknown][]): string {
  const width = Math.max(...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${`${label}:`.padEnd(width + 1)} ${cell(value, 200)}`).join('\n');
}

export function cell(value: unknown, maxWidth: number): string {
  let text: string;
  if (value === null || value === undefined || value === '') text = '-';
  else if (Array.isArray(value)) text = value.length ? value.map(String).join(',') : '-';
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  text = text.replace(/\s+/g, ' ');
  return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
}

/** A sync run's progress in one line (while it is followed). */
export function runProgress(run: { status: string; step: string | null; pagesFetched: number; pagesCommitted: number; ordersSeen: number; ordersCreated: number; ordersUpdated: number; ordersQuarantined: number }): string {
  const counts = `pages ${run.pagesCommitted}/${run.pagesFetched} committed, orders seen ${run.ordersSeen}, created ${run.ordersCreated}, updated ${run.ordersUpdated}, quarantined ${run.ordersQuarantined}`;
  return `${run.status}${run.step ? ` (${run.step})` : ''}: ${counts}`;
}
