import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICE_NAMES } from '@connector/contracts';

/** Every process of the system, in start order, and the line each prints once it is ready. */
export const PROCESSES = [
  { name: 'amazon-sandbox', ready: /Amazon sandbox listening/ },
  ...SERVICE_NAMES.map((name) => ({ name, ready: /\bready \(NATS/ })),
  { name: 'gateway', ready: /\bready \(NATS/ },
] as const;

export type ProcessName = (typeof PROCESSES)[number]['name'];

export interface SystemOptions {
  /** The repository root (holding dist/). */
  rootDir: string;
  env: NodeJS.ProcessEnv;
  /** Settings of one process only (its NATS user, say), over `env`. */
  envOf?: (name: ProcessName) => NodeJS.ProcessEnv;
  /** Where prefixed output lines go; default stdout. */
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

const COLORS = [36, 32, 33, 35, 34, 31];

/**
 * Node flags of every service process; docker/Dockerfile sets the same in NODE_OPTIONS. Each service
 * keeps 30-50 MB of live objects while syncing; these keep its peak RSS near that (see README,
 * "Memory").
 */
export const SERVICE_NODE_ARGS = (rootDir: string): string[] => [
  // Stack traces mapped to our TypeScript sources, reading a map only when a trace needs it (see the file).
  '-r',
  join(rootDir, 'dist', 'libs', 'platform', 'src', 'source-maps.js'),
  // New space of 2 × 8 MB instead of 2 × 16 MB: short-lived objects are collected a little more
  // often, in less memory (2 × 4 MB cost 10-15 % more CPU per order).
  '--max-semi-space-size=8',
  // With a limit this low V8 lets the old generation grow by a smaller factor before a full
  // collection (order-ingestion's old space peaked at 43 MB instead of 97 MB); also the most a
  // service may hold, ten times what they do.
  '--max-old-space-size=512',
];

/**
 * Environment of every service process. glibc raises its mmap threshold after the first large
 * block is freed, so the next ones come from the heap and stay resident: of the 16 MB that scrypt
 * takes for each passphrase key (order-ingestion and partner-resolution derive two), one stayed
 * as RSS. With a fixed threshold of 4 MiB, blocks that large are always returned to the system.
 */
export const SERVICE_ENV: NodeJS.ProcessEnv = { MALLOC_MMAP_THRESHOLD_: '4194304' };

/**
 * The environment with the sandbox's base URL added to AMAZON_ALLOWED_ENDPOINTS (and nothing
 * else): accounts of the demo and the tests point at it, and secrets may go only where allowed.
 */
export function allowSandboxEndpoint(env: NodeJS.ProcessEnv, sandboxUrl: string): NodeJS.ProcessEnv {
  const allowed = (env.AMAZON_ALLOWED_ENDPOINTS ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  return { ...env, AMAZON_ALLOWED_ENDPOINTS: [...new Set([...allowed, sandboxUrl])].join(',') };
}

/** One service as its own Node.js process, started the way a user starts it: `node dist/apps/<name>/src/main.js`. */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<number | null>;
  readonly lines: string[] = [];

  constructor(
    readonly name: ProcessName,
    private readonly options: SystemOptions,
    private readonly color: number,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const spec = PROCESSES.find((p) => p.name === this.name)!;
    const entry = join(this.options.rootDir, 'dist', 'apps', this.name, 'src', 'main.js');
    // LAUNCHER_NODE_ARGS: extra node flags for every service, e.g. `--cpu-prof` when profiling a benchmark.
    const extraArgs = (process.env.LAUNCHER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS(this.options.rootDir), ...extraArgs, entry], {
      cwd: this.options.rootDir,
      env: { ...SERVICE_ENV, ...this.options.env, ...this.options.envOf?.(this.name), FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    const log = this.options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    const prefix = `\x1b[${this.color}m${this.name.padEnd(20)}\x1b[0m|`;
    let resolveReady: () => void;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        if (this.lines.length > 2000) this.lines.shift();
        log(`${prefix} ${line}`);
        if (spec.ready.test(line)) resolveReady();
      });
    }
    const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      this.exited.then((code) => {
        throw new Error(`${this.name} exited with code ${code} before it was ready:\n${this.lines.slice(-20).join('\n')}`);
      }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Stops the process: SIGTERM (graceful) or SIGKILL (a crash). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child!.kill(signal);
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The whole system: the sandbox and every service, each its own process. */
export class System {
  readonly processes: Map<ProcessName, ServiceProcess>;

  constructor(private readonly options: SystemOptions) {
    this.processes = new Map(PROCESSES.map((p, i) => [p.name, new ServiceProcess(p.name, options, COLORS[i % COLORS.length])]));
  }

  /** Further replicas of a service (tests of several replicas sharing work). */
  readonly replicas: ServiceProcess[] = [];

  process(name: ProcessName): ServiceProcess {
    return this.processes.get(name)!;
  }

  /** Starts one more replica of a service, as its own process. */
  async startReplica(name: ProcessName): Promise<ServiceProcess> {
    const replica = new ServiceProcess(name, this.options, COLORS[(PROCESSES.findIndex((p) => p.name === name) + this.replicas.length + 1) % COLORS.length]);
    this.replicas.push(replica);
    await replica.start();
    return replica;
  }

  /** Starts the sandbox first, then the services in parallel (they wait on nothing but PostgreSQL and NATS). */
  async start(names: ProcessName[] = PROCESSES.map((p) => p.name)): Promise<void> {
    if (names.includes('amazon-sandbox')) await this.process('amazon-sandbox').start();
    await Promise.all(names.filter((n) => n !== 'amazon-sandbox').map((n) => this.process(n).start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.replicas, ...[...this.processes.values()].reverse()].map((p) => p.stop()));
  }
}
