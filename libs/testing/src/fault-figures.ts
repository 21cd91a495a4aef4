import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT_DIR } from './running-system';
import type { InvariantReport } from './fault-invariants';

/** One fault of the suite and what it cost. */
export interface FaultFigure {
  case: string;
  fault: string;
  /** Orders at Amazon for this fault (every status; malformed ones too). */
  orders: number;
  /** How many faults were injected (kills, stalls, deleted consumers, injected errors, ...). */
  faultsInjected: number;
  /** From the end of the fault until every invariant held; null when they never did. */
  recoverySeconds: number | null;
  duplicates: number;
  lost: number;
  passed: boolean;
  /** The violations still standing when it failed. */
  note?: string;
}

/** Where the cases leave their figures (git-ignored): one JSON line each, then the table. */
export const FAULT_FIGURES_FILE = process.env.FAULT_FIGURES_FILE ?? join(ROOT_DIR, 'test', 'fault', 'results.jsonl');
export const FAULT_TABLE_FILE = process.env.FAULT_TABLE_FILE ?? join(ROOT_DIR, 'test', 'fault', 'results.md');

/**
 * Collects the figures of the fault suite across its test files: each fault appends its line and
 * the table is written again, so it is whole after the last case (the suite's global set-up removes
 * the previous run's file, its teardown prints the table).
 */
class FaultFigures {
  reset(): void {
    rmSync(FAULT_FIGURES_FILE, { force: true });
  }

  record(figure: FaultFigure): void {
    mkdirSync(dirname(FAULT_FIGURES_FILE), { recursive: true });
    appendFileSync(FAULT_FIGURES_FILE, `${JSON.stringify(figure)}\n`);
    this.writeTable();
  }

  /** Records a fault from the invariant report it ended with (or the failure's). */
  fromReport(base: Pick<FaultFigure, 'case' | 'fault' | 'faultsInjected'>, outcome: { report?: InvariantReport; recoveryMs?: number; error?: Error }): void {
    const report = outcome.report;
    this.record({
      ...base,
      orders: report?.atAmazon ?? 0,
      recoverySeconds: outcome.error || outcome.recoveryMs === undefined ? null : Math.round(outcome.recoveryMs / 100) / 10,
      duplicates: report?.duplicates ?? 0,
      lost: report?.lost ?? 0,
      passed: !outcome.error,
      note: outcome.error?.message.slice(0, 400),
    });
  }

  read(): FaultFigure[] {
    if (!existsSync(FAULT_FIGURES_FILE)) return [];
    return readFileSync(FAULT_FIGURES_FILE, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as FaultFigure);
  }

  /** The table (Markdown) of every recorded fault, as the README's reliability section shows it. */
  table(figures: FaultFigure[] = this.read()): string {
    const rows = figures.map((f) => `| ${f.case} | ${f.fault} | ${f.orders} | ${f.faultsInjected} | ${f.recoverySeconds === null ? '—' : f.recoverySeconds.toFixed(1)} | ${f.duplicates} | ${f.lost} | ${f.passed ? 'pass' : 'FAIL'} |`);
    const failures = figures.filter((f) => !f.passed).map((f) => `- ${f.case}, ${f.fault}: ${f.note ?? ''}`);
    return [
      '| case | fault | orders | faults injected | recovery (s) | duplicates | lost | result |',
      '|---|---|---:|---:|---:|---:|---:|---|',
      ...rows,
      ...(failures.length ? ['', 'Failures:', ...failures] : []),
      '',
    ].join('\n');
  }

  writeTable(): string {
    const table = this.table();
    writeFileSync(FAULT_TABLE_FILE, `# Fault suite figures (${new Date().toISOString()})\n\n${table}`);
    return table;
  }
}

export const faultFigures = new FaultFigures();
