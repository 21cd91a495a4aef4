/**
 * Preloaded into every service process (`node -r dist/libs/platform/src/source-maps.js`, by the
 * launcher and the Docker image): stack traces point at the TypeScript sources.
 *
 * Not `--enable-source-maps`: Node 20 reads and parses the source map of every module it loads,
 * node_modules included (typeorm, rxjs, class-validator, libphonenumber-js: about 20 MB of heap
 * per service, held for the life of the process). This reads a file's map only when a stack
 * trace passes through that file.
 */
import { install } from 'source-map-support';

// Uncaught exceptions stay Node's to report (printed with the mapped stack, exit code 1).
install({ environment: 'node', handleUncaughtExceptions: false });
