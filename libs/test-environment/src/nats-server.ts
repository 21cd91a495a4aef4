import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './test-environment';

/** Where Debian's nats-server lives (apt-get install nats-server); NATS_SERVER_BIN overrides. */
const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? 'nats-server';

export interface NatsServerOptions {
  /** A fixed client port (a cluster names its nodes' ports before they start); default a free one. */
  port?: number;
  /** Names the server in logs, routes and JetStream placement. */
  name?: string;
}

/**
 * A nats-server of a test's own, with JetStream and the configuration the test gives (users,
 * permissions, cluster routes), on a free port; removed with its store when stopped. A fault test
 * may kill it (-9) and start it again on the same port with the same store, as a restarted server.
 */
export class NatsServerProcess {
  private child!: ChildProcess;
  readonly output: string[] = [];

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly configFile: string,
    /** Its server_name, if given. */
    readonly name?: string,
  ) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  static async start(config: string, options: NatsServerOptions = {}): Promise<NatsServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'nats-'));
    const port = options.port ?? (await freePort());
    const file = join(dir, 'nats-server.conf');
    const name = options.name ? `server_name: ${JSON.stringify(options.name)}\n` : '';
    writeFileSync(file, `${config}\n${name}port: ${port}\nhost: 127.0.0.1\njetstream: { store_dir: ${JSON.stringify(join(dir, 'store'))} }\n`);
    const server = new NatsServerProcess(port, dir, file, options.name);
    await server.launch();
    return server;
  }

  /** Starts the server process (again, after a kill: same port, same store). */
  async launch(): Promise<void> {
    if (this.child && this.running) return;
    const child = spawn(NATS_SERVER_BIN, ['-c', this.configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    // What this start printed: the output of an earlier start (before a kill) says nothing of it.
    let printed = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nats-server did not start:\n${printed}`)), 15_000);
      const onData = (chunk: Buffer) => {
        this.output.push(chunk.toString());
        // Its log of a long test is kept in part: the first chunks (start-up) and the last ones.
        if (this.output.length > 2000) this.output.splice(100, this.output.length - 2000);
        if (printed.length < 100_000) printed += chunk.toString();
        if (/Server is ready/.test(printed)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${printed}`));
      });
    });
  }

  /** Starts the server again on the same port with the same configuration and JetStream store. */
  restart(): Promise<void> {
    return this.launch();
  }

  /** A crash: kill -9, no goodbye to the clients; the store stays for restart(). */
  async kill(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.child && this.running) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
