// `npm run lint:prometheus` (part of `npm run lint`): the Prometheus configuration, alerting rules
// and their unit tests in docker/prometheus, and the queries of the Grafana dashboard, with promtool (Debian: `apt-get install prometheus`;
// .ci/run installs it where it is missing).
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
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

// Every query of the Grafana dashboard must parse: each is checked as a recording rule.
const dashboard = JSON.parse(readFileSync(join(root, 'docker/grafana/dashboards/connector.json'), 'utf8'));
const queries = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
const dir = mkdtempSync(join(tmpdir(), 'dashboard-queries-'));
try {
  const rules = { groups: [{ name: 'dashboard', rules: queries.map((query, i) => ({ record: `dashboard_query_${i}`, expr: query.expr })) }] };
  // JSON is YAML: promtool reads it as it is.
  writeFileSync(join(dir, 'dashboard-queries.yml'), JSON.stringify(rules));
  console.log(`Checking the ${queries.length} queries of docker/grafana/dashboards/connector.json`);
  execFileSync('promtool', ['check', 'rules', join(dir, 'dashboard-queries.yml')], { stdio: 'inherit' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
