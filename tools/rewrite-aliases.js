// After `tsc -b` of one project: rewrites its compiled `@connector/*` imports into relative
// paths within dist/, as `tsc-alias -p tsconfig.build.json` does for all of dist/, but only under
// the given directories, so that projects built in parallel never rewrite each other's files.
//   node tools/rewrite-aliases.js dist/apps/gateway [more directories]
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { prepareSingleFileReplaceTscAliasPaths } = require('tsc-alias');

function* jsFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* jsFiles(path);
    else if (entry.name.endsWith('.js') || entry.name.endsWith('.d.ts')) yield path;
  }
}

async function main() {
  const root = resolve(__dirname, '..');
  const replace = await prepareSingleFileReplaceTscAliasPaths({ configFile: join(root, 'tsconfig.build.json') });
  for (const dir of process.argv.slice(2)) {
    for (const filePath of jsFiles(resolve(root, dir))) {
      const fileContents = readFileSync(filePath, 'utf8');
      if (!fileContents.includes('@connector/')) continue;
      const rewritten = replace({ fileContents, filePath });
      if (rewritten !== fileContents) writeFileSync(filePath, rewritten);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
