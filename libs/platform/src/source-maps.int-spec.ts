import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

// Runs against dist/ (npm run build first), as the services do.
const ROOT = resolve(__dirname, '../../..');

function run(script: string) {
  return spawnSync(process.execPath, ['-r', './dist/libs/platform/src/source-maps.js', '-e', script], { cwd: ROOT, encoding: 'utf8' });
}

describe('source maps of service processes (-r dist/libs/platform/src/source-maps.js)', () => {
  it('maps stack traces to our TypeScript sources, and leaves uncaught exceptions to Node', () => {
    const crashed = run("require('./dist/libs/money/src').toCents('x')");
    expect(crashed.status).toBe(1);
    expect(crashed.stderr).toMatch(/at Object\.toCents \(.*libs\/money\/src\/money\.ts:\d+:\d+\)/);
    // Node's own report of an uncaught exception, not the library's.
    expect(crashed.stderr).toMatch(/Node\.js v\d+/);
  });

  it('leaves frames in node_modules as they are, reading no map for them', () => {
    // rxjs ships source maps (--enable-source-maps showed rxjs/src/internal/operators/map.ts here).
    const traced = run(
      "const { of, map } = require('rxjs'); of(1).pipe(map(() => { throw new Error('inside'); })).subscribe({ error: (err) => console.log(err.stack) });" +
        "try { require('./dist/libs/money/src').toCents('x'); } catch (err) { console.log(err.stack); }",
    );
    expect(traced.status).toBe(0);
    expect(traced.stdout).toMatch(/node_modules\/rxjs\/dist\/cjs\/internal\/operators\/map\.js:\d+:\d+/);
    expect(traced.stdout).not.toMatch(/rxjs\/src\/.*\.ts:/);
    expect(traced.stdout).toMatch(/libs\/money\/src\/money\.ts:\d+:\d+/);
  });
});
