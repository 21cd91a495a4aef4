import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const root = resolve(__dirname, '..');

// The console's API types are generated from the gateway's committed OpenAPI document (npm run
// openapi regenerates both): a route or view changed without them would break the console unseen.
describe("the console's API types", () => {
  it('are those openapi-typescript makes from apps/gateway/openapi.json', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'console-types-')), 'schema.d.ts');
    await promisify(execFile)(process.execPath, [join(root, 'node_modules/openapi-typescript/bin/cli.js'), join(root, 'apps/gateway/openapi.json'), '-o', out], { cwd: root });
    const committed = readFileSync(join(root, 'apps/console/src/api/schema.d.ts'), 'utf8');
    expect(readFileSync(out, 'utf8') === committed).toBe(true);
  }, 60_000);
});
