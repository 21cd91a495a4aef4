import { runCli } from './program';

/** `amazon-connector …` (bin of the root package.json, through tools/cli/bin/amazon-connector.js). */
runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
}).then(
  (code) => {
    // exitCode, not exit(): what is still buffered for a pipe gets written first.
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`amazon-connector: ${error?.stack ?? error}\n`);
    process.exitCode = 1;
  },
);
