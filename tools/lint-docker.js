// `npm run lint:docker` (part of `npm run lint`, so of `npm test` and CI): the Dockerfile with
// dockerfile-utils, the compose files with dclint (rules in .dclintrc), and, where a Docker client
// is installed, `docker compose config -q` for the production set-up and the demo profile.
const { execFileSync, spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const run = (command, args, env) => execFileSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

run(bin('dockerfile-utils'), ['lint', 'docker/Dockerfile']);
run(bin('dclint'), ['docker/docker-compose.yml', 'docker/extra-ca.yml', 'docker/nats-cluster.yml']);

if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) {
  const compose = ['compose', '-f', 'docker/docker-compose.yml', '--env-file', 'docker/demo.env'];
  run('docker', [...compose, 'config', '-q']);
  run('docker', [...compose, '--profile', 'demo', 'config', '-q']);
  run('docker', [...compose, '--profile', 'demo', '--profile', 'monitoring', 'config', '-q']);
  run('docker', [...compose, '-f', 'docker/extra-ca.yml', '--profile', 'demo', 'config', '-q'], { EXTRA_CA_CERT: join(root, 'package.json') });
  run('docker', [...compose, '-f', 'docker/nats-cluster.yml', '--profile', 'demo', 'config', '-q']);
} else {
  console.log('lint:docker: no docker compose client here; skipped `docker compose config -q`');
}
