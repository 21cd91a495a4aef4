/**
 * Preloaded into every service process (`node -r dist/libs/platform/src/source-maps.js`, by the
 * launcher and the Docker image): stack traces point at our TypeScript sources.
 *
 * Not `--enable-source-maps`: Node 20 reads and parses the source map of every module it loads,
 * node_modules included (typeorm, rxjs, class-validator, libphonenumber-js: about 20 MB of heap
 * per service, held for the life of the process). This reads the map of one of our files only
 * when a stack trace passes through it; frames in node_modules stay as they are in the .js files
 * (their maps carry whole sources, and errors pass through typeorm all the time).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { install } from 'source-map-support';

install({
  environment: 'node',
  // Uncaught exceptions stay Node's to report (printed with the mapped stack, exit code 1).
  handleUncaughtExceptions: false,
  overrideRetrieveSourceMap: true,
  retrieveSourceMap(source) {
    if (source.includes('/node_modules/') || source.startsWith('node:')) return null;
    // tsc writes x.js.map beside x.js.
    const url = `${source.startsWith('file:') ? fileURLToPath(source) : source}.map`;
    try {
      return { url, map: readFileSync(url, 'utf8') };
    } catch {
      return null;
    }
  },
});
