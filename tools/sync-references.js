// The TypeScript project references follow the imports: each project's tsconfig must reference
// the tsconfig of every lib its (non-test) code imports through `@connector/*`, or `tsc -b` fails
// with "File ... is not under 'rootDir'". After adding such an import (or a project):
//   npm run references            rewrites the references (and tsconfig.build.json's list)
//   node tools/sync-references.js --check   (part of npm run lint) only reports what is off
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const root = join(__dirname, '..');
const check = process.argv.includes('--check');
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;

const readJson = (file) => JSON.parse(readFileSync(join(root, file), 'utf8'));
const paths = readJson('tsconfig.base.json').compilerOptions.paths;
// '@connector/money' -> 'libs/money'
const libOf = Object.fromEntries(Object.entries(paths).map(([alias, [target]]) => [alias, target.replace(/^\.\//, '').replace(/\/src\/index\.ts$/, '')]));
const configOf = (project) => join(project, project.startsWith('libs/') ? 'tsconfig.lib.json' : 'tsconfig.app.json');

function imported(dirs, shallow = false) {
  const found = new Set();
  const walk = (dir) => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!shallow) walk(path);
      } else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name)) {
        for (const [, alias] of readFileSync(join(root, path), 'utf8').matchAll(/from '(@connector\/[a-z-]+)'/g)) {
          if (!libOf[alias]) throw new Error(`${path} imports ${alias}, which tsconfig.base.json's paths do not name`);
          found.add(libOf[alias]);
        }
      }
    }
  };
  dirs.forEach((dir) => walk(dir));
  return found;
}

const projects = ['libs', 'apps', 'tools'].flatMap((kind) =>
  readdirSync(join(root, kind), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, kind, entry.name, 'project.json')))
    // A browser app Vite bundles (apps/console) is outside tsc -b: its own tsconfig.json only type-checks it.
    .filter((entry) => !existsSync(join(root, kind, entry.name, 'vite.config.mts')))
    .map((entry) => `${kind}/${entry.name}`),
);
// Each tsconfig, the folders its code is in, and references it has whatever it imports.
const configs = projects.map((project) => ({ file: configOf(project), project, dirs: [join(project, 'src')], fixed: [] }));
configs.push({ file: 'apps/amazon-notifications/tsconfig.bench.json', project: 'apps/amazon-notifications', dirs: ['apps/amazon-notifications/bench', 'apps/amazon-notifications/test'], fixed: ['./tsconfig.app.json'] });
configs.push({ file: 'bench/tsconfig.bench.json', project: 'bench', dirs: ['bench'], fixed: [], shallow: true });

const problems = [];
const update = (file, json, what) => {
  if (check) problems.push(`${file}: ${what}`);
  else writeFileSync(join(root, file), `${JSON.stringify(json, null, 2)}\n`);
};

for (const config of configs) {
  if (!existsSync(join(root, config.file))) {
    problems.push(`${config.file} is missing (copy one of another project of its kind and adjust outDir and tsBuildInfoFile)`);
    continue;
  }
  const json = readJson(config.file);
  const libs = [...imported(config.dirs, config.shallow)].filter((lib) => lib !== config.project).sort();
  const expected = [...config.fixed, ...libs.map((lib) => relative(dirname(join(root, config.file)), join(root, configOf(lib))))];
  const actual = (json.references ?? []).map((reference) => reference.path);
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    json.references = expected.map((path) => ({ path }));
    if (json.references.length === 0) delete json.references;
    update(config.file, json, `references ${JSON.stringify(actual)}, its imports need ${JSON.stringify(expected)}`);
  }
}

const build = readJson('tsconfig.build.json');
const all = configs.map((config) => `./${config.file}`);
const listed = build.references.map((reference) => reference.path);
if (JSON.stringify(listed) !== JSON.stringify(all)) {
  build.references = all.map((path) => ({ path }));
  update('tsconfig.build.json', build, `references ${JSON.stringify(listed)}, the projects are ${JSON.stringify(all)}`);
}

if (problems.length) {
  console.error(`TypeScript project references do not match the imports (fix: npm run references):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
