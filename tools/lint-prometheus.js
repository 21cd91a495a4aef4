// `npm run lint:prometheus` (part of `npm run lint`): the Prometheus configuration, alerting rules
// and their unit tests in docker/prometheus, and the queries of the Grafana dashboard, with promtool (Debian: `apt-get install prometheus`;
// .ci/run installs it where it is missing); that every metric an alert reads has a panel; and that the
// dashboard's panel ids are unique and its panels do not overlap.
const { execFileSync, spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const YAML = require('yaml');

const root = join(__dirname, '..');
if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status !== 0) {
  console.error('lint:prometheus: promtool is not installed; install it (Debian/Ubuntu: apt-get install -y --no-install-recommends prometheus) and run again');
  process.exit(1);
}
const promtool = (...args) => execFileSync('promtool', args, { cwd: join(root, 'docker/prometheus'), stdio: 'inherit' });
// --syntax-only: the bearer key file exists only in the container (a compose secret).
promtool('check', 'config', '--syntax-only', 'prometheus.yml');
// The rule files Prometheus loads, as its configuration names them (beside it; no globs here).
const ruleFiles = YAML.parse(readFileSync(join(root, 'docker/prometheus/prometheus.yml'), 'utf8')).rule_files ?? [];
if (ruleFiles.some((file) => /[*?[]/.test(file))) {
  console.error(`lint:prometheus: a glob in prometheus.yml's rule_files (${ruleFiles.join(', ')}): name each file, so this lint reads them all`);
  process.exit(1);
}
promtool('check', 'rules', ...ruleFiles);
promtool('test', 'rules', 'alerts.test.yml');

// Every query of the Grafana dashboard must parse: each is checked as a recording rule. A collapsed
// row keeps its panels inside it (`row.panels`): they count as much as the others.
const dashboard = JSON.parse(readFileSync(join(root, 'docker/grafana/dashboards/connector.json'), 'utf8'));
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queries = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })));
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

// Every metric an alert reads is on the dashboard: whoever gets the alert finds its history there.
// Metric names only (not their label matchers): a panel by kind and state covers an alert on one state.
const onDashboard = new Set(queries.flatMap((query) => metricNames(query.expr)));
const alerts = ruleFiles.flatMap((file) =>
  YAML.parse(readFileSync(join(root, 'docker/prometheus', file), 'utf8')).groups.flatMap((group) => group.rules.filter((rule) => rule.alert)),
);
const missing = alerts.flatMap((rule) => {
  const metrics = metricNames(rule.expr);
  // An expression with no metric found is a misreading here, not an alert that needs no panel.
  if (metrics.length === 0) return [`alert ${rule.alert}: no metric found in its expression ${JSON.stringify(rule.expr)}`];
  return metrics.filter((metric) => !onDashboard.has(metric)).map((metric) => `alert ${rule.alert} uses ${metric}, which no panel of docker/grafana/dashboards/connector.json queries`);
});
if (missing.length > 0) {
  console.error(`lint:prometheus: every metric an alert uses needs a dashboard panel:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
console.log(`The ${alerts.length} alerts use only metrics the dashboard shows`);

// Panel ids are unique (Grafana links and keeps state by them), and panels laid out together do not
// overlap: the top level, and each collapsed row's own panels (shown in its place when expanded).
const layoutProblems = [];
const seenIds = new Map();
for (const panel of panels) {
  if (seenIds.has(panel.id)) layoutProblems.push(`panel id ${panel.id} is both "${seenIds.get(panel.id)}" and "${panel.title}"`);
  else seenIds.set(panel.id, panel.title);
}
for (const layout of [dashboard.panels, ...dashboard.panels.filter((panel) => panel.panels?.length).map((row) => row.panels)]) {
  layout.forEach((a, i) =>
    layout.slice(i + 1).forEach((b) => {
      const [p, q] = [a.gridPos, b.gridPos];
      if (p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h) layoutProblems.push(`panels ${a.id} "${a.title}" and ${b.id} "${b.title}" overlap`);
    }),
  );
  for (const panel of layout) if (panel.gridPos.x + panel.gridPos.w > 24) layoutProblems.push(`panel ${panel.id} "${panel.title}" reaches past the 24 columns`);
}
if (layoutProblems.length > 0) {
  console.error(`lint:prometheus: docker/grafana/dashboards/connector.json:\n  ${layoutProblems.join('\n  ')}`);
  process.exit(1);
}
console.log(`The dashboard's ${panels.length} panels have unique ids and do not overlap`);

/**
 * The metric names a PromQL expression selects (promtool has already parsed it): its identifiers,
 * less function names (followed by `(`), aggregations (`sum by (…) (…)` too), keywords, and what sits
 * in strings, ranges `[…]` and label lists (`by (…)`, `on (…)`, …); and a `__name__="…"` matcher in `{…}`.
 */
function metricNames(expr) {
  const aggregations = ['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio'];
  // atan2 is a binary operator (`a atan2 b`), not a function: no `(` follows it.
  const keywords = new Set(['and', 'or', 'unless', 'atan2', 'bool', 'offset', 'inf', 'nan', ...aggregations]);
  const labelLists = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
  const names = new Set();
  let i = 0;
  const skipString = () => {
    const quote = expr[i++];
    while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
    i++;
  };
  const skipTo = (close) => {
    while (i < expr.length && expr[i] !== close) {
      if (`"'\``.includes(expr[i])) skipString();
      else i++;
    }
    i++;
  };
  while (i < expr.length) {
    const c = expr[i];
    if (`"'\``.includes(c)) skipString();
    else if (c === '{') {
      const start = i;
      skipTo('}');
      // Exact matches only: a regex (`=~`) or a negation names no one metric.
      const byName = /(?:^|[{,\s])__name__\s*=\s*(["'`])((?:\\.|(?!\1).)*)\1/.exec(expr.slice(start, i));
      if (byName) names.add(byName[2]);
    }
    else if (c === '[') skipTo(']');
    else if (c === '#') skipTo('\n');
    else if (/[0-9.]/.test(c)) while (i < expr.length && /[0-9a-zA-Z_.]/.test(expr[i])) i++; // numbers and durations (5m, 1e3)
    else if (/[a-zA-Z_:]/.test(c)) {
      const start = i;
      while (i < expr.length && /[a-zA-Z0-9_:]/.test(expr[i])) i++;
      const word = expr.slice(start, i);
      const rest = expr.slice(i).trimStart();
      if (labelLists.has(word)) {
        if (rest.startsWith('(')) {
          i = expr.length - rest.length;
          skipTo(')');
        }
      } else if (!rest.startsWith('(') && !keywords.has(word.toLowerCase())) names.add(word);
    } else i++;
  }
  return [...names];
}
