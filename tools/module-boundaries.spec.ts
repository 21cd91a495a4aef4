import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * The lint's module boundaries are live, not silently skipped (the Nx rule skips itself when no
 * project graph is cached, which `npm run lint` makes first): imports that break the layering
 * are errors, the allowed ones are not. The ESLint CLI lints the text in place of a real file
 * of the project in question (ESLint's API loads its config in a way Jest cannot run).
 */
describe('module boundaries in the lint', () => {
  const root = resolve(__dirname, '..');
  const bin = (name: string) => resolve(root, 'node_modules/.bin', name);
  const env = { ...process.env, NX_DAEMON: 'false' };

  beforeAll(() => {
    spawnSync(bin('nx'), ['show', 'projects'], { cwd: root, env, stdio: 'ignore' });
  }, 120_000);

  const boundaryProblems = (asFile: string, code: string): string[] => {
    const run = spawnSync(bin('eslint'), ['--stdin', '--stdin-filename', asFile, '--format', 'json'], { cwd: root, env, input: code, encoding: 'utf8' });
    const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
    return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
  };

  it('refuses a lib importing an app, and a relative import into another project', () => {
    expect(boundaryProblems('libs/workers/src/index.ts', `import { SERVICE_NAME } from '../../../apps/inventory/src/app.module';\nexport const x = SERVICE_NAME;\n`)).toHaveLength(1);
    expect(boundaryProblems('apps/gateway/src/main.ts', `import { waitFor } from '../../../libs/local-system/src/wait-for';\nexport const x = waitFor;\n`)).toHaveLength(1);
  }, 60_000);

  it('lets an app import a lib by its alias', () => {
    expect(boundaryProblems('apps/gateway/src/main.ts', `import { PeriodicWorker } from '@connector/workers';\nexport const x = PeriodicWorker;\n`)).toEqual([]);
  }, 60_000);
});
