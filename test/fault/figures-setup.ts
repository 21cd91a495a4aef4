import { rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A fresh start for this run's figures (libs/testing's faultFigures appends to this file; Jest's
 * global set-up cannot resolve the @connector paths, so the file is named here too).
 */
export default function figuresSetup(): void {
  rmSync(process.env.FAULT_FIGURES_FILE ?? join(__dirname, 'results.jsonl'), { force: true });
}
