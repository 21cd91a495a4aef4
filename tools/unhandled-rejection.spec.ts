import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Unit and integration tests fail on an unhandled rejection: the project's Jest (jest-circus)
 * fails the test that is running when one happens, so no setup of ours is needed, and this
 * keeps it so (a handler added somewhere, a change of runner). The process tests have their own
 * check (libs/local-system's System.stop). A test file of two tests runs with the project's
 * unit configuration, in a Jest of its own.
 */
describe('an unhandled rejection in a unit or integration test', () => {
  const root = resolve(__dirname, '..');
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(root, 'tools', 'unhandled-rejection-fixture-'));
    writeFileSync(
      join(dir, 'rejecting.spec.ts'),
      `it('leaves a rejection unhandled', async () => {
         void Promise.reject(new Error('nobody handled me'));
         await new Promise((resolve) => setTimeout(resolve, 20));
       });
       it('is a good test', () => expect(1).toBe(1));\n`,
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails that test, with the rejection', () => {
    const run = spawnSync(resolve(root, 'node_modules/.bin/jest'), ['--selectProjects', 'unit', '--testPathPatterns', dir, '--testPathIgnorePatterns', '/node_modules/', '--json'], { cwd: root, encoding: 'utf8' });
    const report = JSON.parse(run.stdout) as { numFailedTests: number; numPassedTests: number; testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };
    const results = report.testResults.flatMap((file) => file.assertionResults);
    expect(results.map(({ title, status }) => [title, status])).toEqual([
      ['leaves a rejection unhandled', 'failed'],
      ['is a good test', 'passed'],
    ]);
    expect(results[0].failureMessages.join('\n')).toMatch(/nobody handled me/);
  }, 60_000);
});
