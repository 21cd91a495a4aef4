import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ProcessExit, ServiceProcess } from '@connector/local-system';
import { NATS_URL, ROOT_DIR, RunningSystem, TestEnvironment, waitFor } from '@connector/testing';

const SHUTDOWN_TIMEOUT_SECONDS = 10;
/** A process is given this much beyond its SHUTDOWN_TIMEOUT_SECONDS: a busy machine, Node's exit. */
const SLACK_MS = 1500;

/** Requests sent one after another by `workers` loops until stop() is called; what each got. */
function load(send: () => Promise<number>, workers = 4) {
  const answers: number[] = [];
  const errors: string[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      try {
        answers.push(await send());
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        errors.push(cause?.code ?? cause?.message ?? String(err));
      }
    }
  });
  return {
    answers,
    errors,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Sends SIGTERM and says how the process ended and after how long. */
async function terminate(service: ServiceProcess): Promise<ProcessExit & { ms: number }> {
  const started = Date.now();
  service.signal('SIGTERM');
  const exit = await service.exit();
  return { ...exit, ms: Date.now() - started };
}

/**
 * SIGTERM on the real services: a process stops taking work, answers what it has taken, runs
 * its shutdown hooks and exits 0 within SHUTDOWN_TIMEOUT_SECONDS, while the other replica
 * carries on; the gateway closes its port once its requests under way are answered.
 */
describe('clean shutdown of the services under load', () => {
  const running = new RunningSystem();

  beforeAll(async () => {
    await running.start({ SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS) });
  }, 120_000);
  afterAll(async () => {
    await running.stop();
  }, 60_000);

  it('a replica of order-ingestion taking requests exits 0 within the time, and no request fails', async () => {
    await running.system.startReplica('order-ingestion');
    const traffic = load(async () => (await running.api('GET', '/api/v1/accounts')).status);
    try {
      await waitFor(() => traffic.answers.length >= 50, { what: 'requests flowing' });
      const exit = await terminate(running.system.process('order-ingestion'));
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(exit.ms).toBeLessThan(SHUTDOWN_TIMEOUT_SECONDS * 1000 + SLACK_MS);
      const after = traffic.answers.length;
      await waitFor(() => traffic.answers.length >= after + 50, { what: 'requests answered by the other replica' });
    } finally {
      await traffic.stop();
    }
    expect(traffic.errors).toEqual([]);
    expect(traffic.answers.filter((status) => status !== 200)).toEqual([]);
    expect(running.system.process('order-ingestion').lines.join('\n')).toMatch(/order-ingestion: SIGTERM: stopping[\s\S]*order-ingestion: stopped/);
  }, 60_000);

  it('the gateway answers the requests it took, then closes its port and exits 0 within the time', async () => {
    const traffic = load(async () => (await running.api('GET', '/api/v1/marketplaces')).status);
    let exit: ProcessExit & { ms: number };
    try {
      await waitFor(() => traffic.answers.length >= 50, { what: 'requests flowing' });
      exit = await terminate(running.system.process('gateway'));
      const failuresBefore = traffic.errors.length;
      // Once it is gone, requests are refused at connect (nobody listens), not left waiting.
      await waitFor(() => traffic.errors.length >= failuresBefore + 20, { what: 'requests refused after the exit' });
    } finally {
      await traffic.stop();
    }
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(SHUTDOWN_TIMEOUT_SECONDS * 1000 + SLACK_MS);
    // Every request that got an answer got a whole, good one; the rest found no server (or a
    // kept-alive connection that the closing server had just let go).
    expect(traffic.answers.filter((status) => status !== 200)).toEqual([]);
    expect(new Set(traffic.errors)).toEqual(new Set(traffic.errors.filter((code) => ['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(code))));
    expect(traffic.errors).toContain('ECONNREFUSED');
  }, 60_000);
});

/**
 * The shutdown deadline and the second signal, on a service whose shutdown hook never ends:
 * a process running libs/platform's runService with one such hook (as a hook waiting on a
 * database that does not answer would).
 */
describe('a shutdown that does not finish', () => {
  const env = new TestEnvironment();
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await env.tearDown();
  });

  /** A service with a beforeApplicationShutdown hook that never returns. */
  const HUNG_SERVICE = `
    require('reflect-metadata');
    const { Injectable, Module } = require('@nestjs/common');
    const { ServiceSettings, startService } = require(${JSON.stringify(join(ROOT_DIR, 'dist', 'libs', 'platform', 'src'))});
    class HungHook { beforeApplicationShutdown() { process.stdout.write('hook started\\n'); return new Promise(() => undefined); } }
    Injectable()(HungHook);
    class HungModule {}
    Module({ providers: [HungHook] })(HungModule);
    startService({ name: 'hung-service', settings: ServiceSettings, appModule: () => ({ module: HungModule }) });
  `;

  async function startHungService(timeoutSeconds: number) {
    const child = spawn(process.execPath, ['-e', HUNG_SERVICE], {
      cwd: ROOT_DIR,
      env: { ...process.env, NATS_URL, NATS_NAMESPACE: env.namespace, SHUTDOWN_TIMEOUT_SECONDS: String(timeoutSeconds), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await waitFor(() => /hung-service: ready/.test(output) || child.exitCode !== null, { what: 'the service ready' });
    expect(output).toMatch(/hung-service: ready/);
    return { child, exited, output: () => output };
  }

  it('exits 1 at SHUTDOWN_TIMEOUT_SECONDS when a hook hangs', async () => {
    const service = await startHungService(2);
    const started = Date.now();
    service.child.kill('SIGTERM');
    const exit = await service.exited;
    const ms = Date.now() - started;
    expect(exit).toEqual({ code: 1, signal: null });
    expect(ms).toBeGreaterThanOrEqual(2000);
    expect(ms).toBeLessThan(2000 + SLACK_MS);
    expect(service.output()).toMatch(/hook started[\s\S]*did not stop within 2 s/);
  }, 30_000);

  it('exits at once on a second signal', async () => {
    const service = await startHungService(60);
    service.child.kill('SIGTERM');
    await waitFor(() => /hook started/.test(service.output()), { what: 'the shutdown under way' });
    const started = Date.now();
    service.child.kill('SIGINT');
    const exit = await service.exited;
    expect(exit).toEqual({ code: 1, signal: null });
    expect(Date.now() - started).toBeLessThan(SLACK_MS);
    expect(service.output()).toMatch(/SIGINT again: exiting now/);
  }, 30_000);
});
