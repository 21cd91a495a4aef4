import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './test-environment';

/** Where Debian's nats-server lives (apt-get install nats-server); NATS_SERVER_BIN overrides. */
const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? 'nats-server';

/**
 * A nats-server of a test's own, with JetStream and the configuration the test gives (users,
 * permissions), on a free port; removed with its store when stopped.
 */
export class NatsServerProcess {
  private constructor(
    readonly url: string,
    private child: ChildProcess,
    private readonly dir: string,
    readonly output: string[],
  ) {}

  static async start(config: string): Promise<NatsServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'nats-'));
    const port = await freePort();
    const file = join(dir, 'nats-server.conf');
    writeFileSync(file, `${config}\nport: ${port}\nhost: 127.0.0.1\njetstream: { store_dir: ${JSON.stringify(join(dir, 'store'))} }\n`);
    const server = new NatsServerProcess(`nats://127.0.0.1:${port}`, undefined as unknown as ChildProcess, dir, []);
    await server.launch();
    return server;
  }

  /** kill -9: the server goes as in a crash (its JetStream store stays for a restart). */
  async crash(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  /** Starts the server again on the same port and store (after crash()). */
  async restart(): Promise<void> {
    await this.launch();
  }

  private async launch(): Promise<void> {
    const { dir, output } = this;
    const child = spawn(NATS_SERVER_BIN, ['-c', join(dir, 'nats-server.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // What this start (not an earlier one) has written so far.
    let started: string | undefined = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${output.join('')}`)), 10_000);
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        // Its log of a long test is kept in part: the first chunks (start-up) and the last ones.
        if (output.length > 2000) output.splice(100, output.length - 2000);
        if (started === undefined) return;
        started += chunk.toString();
        if (/Server is ready/.test(started)) {
          started = undefined;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${output.join('')}`));
      });
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
