import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** Starts a built service the way a user does and collects how it ends. */
function runService(name: string, env: Record<string, string>, entry = `../../dist/apps/${name}/src/main.js`): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(__dirname, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => done({ code, stderr }));
  });
}

const lines = (text: string) => text.split('\n').filter((line) => line.trim());

describe('a service that cannot start says why in one line and exits non-zero', () => {
  it('names DATABASE_URL and the address when PostgreSQL is unreachable', async () => {
    const { code, stderr } = await runService('inventory', { DATABASE_URL: 'postgres://app:secret@127.0.0.1:1/nowhere' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringContaining('inventory: cannot reach PostgreSQL at DATABASE_URL=postgres://app:***@127.0.0.1:1/nowhere')]);
  });

  it('names NATS_URL and the address when NATS is unreachable', async () => {
    const { code, stderr } = await runService('order-ingestion', { NATS_URL: 'nats://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringContaining('order-ingestion: cannot reach NATS at NATS_URL=nats://127.0.0.1:1')]);
  });

  it('names a setting that is invalid', async () => {
    const { code, stderr } = await runService('gateway', { NATS_NAMESPACE: 'Not Valid!' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringContaining('gateway: invalid setting NATS_NAMESPACE')]);
  });
});

describe('NODE_ENV=production refuses every development default, in one line naming the setting', () => {
  const production = { NODE_ENV: 'production' };
  const natsUser = { NATS_USER: 'svc', NATS_PASSWORD: 'a-long-nats-password' };
  const ownKey = { CREDENTIALS_KEY: `base64:${Buffer.alloc(32, 9).toString('base64')}` };
  const ownTransitKey = { CREDENTIALS_TRANSIT_KEY: `base64:${Buffer.alloc(32, 8).toString('base64')}` };

  it.each(['gateway', 'order-ingestion', 'partner-resolution', 'inventory', 'amazon-notifications'])('%s: NATS without authentication', async (name) => {
    const { code, stderr } = await runService(name, production);
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([`${name}: refusing to start in production (NODE_ENV=production): NATS_USER (or NATS_TOKEN, NATS_CREDENTIALS_FILE, NATS_NKEY_SEED_FILE) must be set in production: NATS without authentication is an open door`]);
  });

  it.each(['order-ingestion', 'amazon-notifications'])('%s: the development credentials key, then a sandbox among the allowed endpoints', async (name) => {
    const devKey = await runService(name, { ...production, ...natsUser });
    expect(devKey.code).toBe(1);
    expect(lines(devKey.stderr)).toEqual([expect.stringMatching(new RegExp(`^${name}: refusing to start in production .*CREDENTIALS_KEY must be your own key`))]);
    const sandbox = await runService(name, { ...production, ...natsUser, ...ownKey, AMAZON_ALLOWED_ENDPOINTS: 'http://127.0.0.1:4500' });
    expect(sandbox.code).toBe(1);
    expect(lines(sandbox.stderr)).toEqual([expect.stringMatching(/AMAZON_ALLOWED_ENDPOINTS must not name a sandbox in production.*127\.0\.0\.1:4500/)]);
  });

  it('gateway: the development transit key (it seals secrets for order-ingestion), the demo API key, short keys, and the development webhook secrets key', async () => {
    const devKey = await runService('gateway', { ...production, ...natsUser });
    expect(lines(devKey.stderr)).toEqual([expect.stringMatching(/^gateway: refusing to start in production .*CREDENTIALS_TRANSIT_KEY must be your own key/)]);
    const demo = await runService('gateway', { ...production, ...natsUser, ...ownTransitKey });
    expect(demo.code).toBe(1);
    expect(lines(demo.stderr)).toEqual([expect.stringMatching(/^gateway: refusing to start in production .*GATEWAY_API_KEYS must not hold the demo key/)]);
    const short = await runService('gateway', { ...production, ...natsUser, ...ownTransitKey, GATEWAY_API_KEYS: 'short-key' });
    expect(lines(short.stderr)).toEqual([expect.stringMatching(/GATEWAY_API_KEYS: every key must be at least 24 characters/)]);
    // The key that seals the signing secrets of alert webhooks.
    const webhookKey = await runService('gateway', { ...production, ...natsUser, ...ownTransitKey, GATEWAY_API_KEYS: 'a-production-key-of-24-characters-or-more' });
    expect(webhookKey.code).toBe(1);
    expect(lines(webhookKey.stderr)).toEqual([expect.stringMatching(/^gateway: refusing to start in production .*WEBHOOK_SECRETS_KEY must be your own key/)]);
  });

  it('the sandbox, npm start and the demo seeding do not run at all', async () => {
    for (const entry of ['../../dist/apps/amazon-sandbox/src/main.js', '../../dist/tools/launcher/src/main.js', '../../dist/tools/launcher/src/seed-demo.js']) {
      const { code, stderr } = await runService('', production, entry);
      expect(code).toBe(1);
      expect(lines(stderr)).toEqual([expect.stringMatching(/refusing to .*production \(NODE_ENV=production\)/)]);
    }
  });

  it('a NATS user and password written into NATS_URL are named, not silently dropped', async () => {
    const { code, stderr } = await runService('inventory', { NATS_URL: 'nats://svc:secret@127.0.0.1:4222' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringContaining('inventory: invalid settings: NATS_URL must not hold a user or password')]);
    expect(stderr).not.toContain('secret');
  });

  it('a NATS server that does not require authentication is refused in production, whatever credentials the service holds', async () => {
    // The local NATS server lets anyone in.
    const { code, stderr } = await runService('inventory', { NODE_ENV: 'production', NATS_USER: 'svc', NATS_PASSWORD: 'a-long-nats-password' });
    expect(code).toBe(1);
    expect(lines(stderr)).toEqual([expect.stringMatching(/^inventory: refusing to start in production .*NATS server at NATS_URL=nats:\/\/127\.0\.0\.1:4222 does not require authentication/)]);
  });
});
