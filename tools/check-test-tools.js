#!/usr/bin/env node
// `npm test` needs a Chromium for its last suite (the console's browser tests): said at once, in
// words, rather than after half an hour of other suites.
const { accessSync, constants } = require('node:fs');

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
try {
  accessSync(chromium, constants.X_OK);
} catch {
  console.error(
    `npm test: no Chromium at ${chromium}. Install it (Debian: apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary.`,
  );
  process.exit(1);
}
