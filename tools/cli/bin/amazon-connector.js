#!/usr/bin/env node
// The `amazon-connector` command (bin of the root package.json): the CLI built into dist/ by `npm run build`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '../../../dist/tools/cli/src/main.js');
if (!existsSync(main)) {
  process.stderr.write('amazon-connector: not built yet; run `npm run build` in the repository first\n');
  process.exit(2);
}
require(main);
