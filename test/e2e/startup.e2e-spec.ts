import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** Starts a built service the way a user does and collects how it ends. */
function runService(name: string, env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(__dirname, `../../dist/apps/${name}/src/main.js`)], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
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
