import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { METADATA_FILE, pluginMetadataSource } from './plugin-metadata';

// A TypeScript program over the repository takes a while.
jest.setTimeout(180_000);

describe('the swagger plugin metadata of the gateway', () => {
  it('is current: regenerated from the classes, it is what is committed (else run `npm run openapi`)', () => {
    const root = resolve(__dirname, '../../..');
    const committed = readFileSync(resolve(root, METADATA_FILE), 'utf8');
    const current = pluginMetadataSource({ root });
    expect(current).toContain('"SalesOrderView"');
    expect(current === committed ? 'current' : 'stale: run npm run openapi').toBe('current');
  });
});
