import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Prints the table of figures the cases wrote (libs/testing's faultFigures) at the end of the suite. */
export default function figuresTeardown(): void {
  const file = process.env.FAULT_TABLE_FILE ?? join(__dirname, 'results.md');
  const figures = process.env.FAULT_FIGURES_FILE ?? join(__dirname, 'results.jsonl');
  if (!existsSync(file) || !existsSync(figures)) return;
  process.stdout.write(`\n${readFileSync(file, 'utf8')}\n(${file})\n`);
}
