import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Runs against dist/ (npm run build first), as the services do.
const ROOT = resolve(__dirname, '../../..');

describe('source maps of service processes (-r dist/libs/platform/src/source-maps.js)', () => {
  it('maps stack traces to the TypeScript sources, and leaves uncaught exceptions to Node', () => {
    const run = spawnSync(process.execPath, ['-r', './dist/libs/platform/src/source-maps.js', '-e', "require('./dist/libs/money/src').toCents('x')"], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/at Object\.toCents \(.*libs\/money\/src\/money\.ts:\d+:\d+\)/);
    // Node's own report of an uncaught exception, not the library's.
    expect(run.stderr).toMatch(/Node\.js v\d+/);
  });
});
