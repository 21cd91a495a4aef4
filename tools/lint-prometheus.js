// `npm run lint:prometheus` (part of `npm run lint`): the Prometheus configuration, alerting rules
// and their unit tests in docker/prometheus, with promtool (Debian: `apt-get install prometheus`;
// .ci/run installs it where it is missing).
const { execFileSync, spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('lint:prometheus: promtool is not installed; install it (Debian/Ubuntu: apt-get install -y --no-install-recommends prometheus) and run again');
  process.exit(1);
}
const promtool = (...args) => execFileSync('promtool', args, { cwd: join(root, 'docker/prometheus'), stdio: 'inherit' });
// --syntax-only: the bearer key file exists only in the container (a compose secret).
promtool('check', 'config', '--syntax-only', 'prometheus.yml');
promtool('check', 'rules', 'alerts.yml');
promtool('test', 'rules', 'alerts.test.yml');
