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
  /**
   * Each service's management server on its fixed port (MANAGEMENT_PORTS: npm start, where
   * Prometheus and people expect them); by default any free port (MANAGEMENT_PORT=0), so test
   * systems and replicas never clash. Read the URL from managementUrl().
   */
  fixedManagementPorts?: boolean;
  /** Where prefixed output lines go; default stdout. */
  log?: (line: string) => void;
  /**
   * Colour the name prefixes (ANSI codes); by default only when stdout is a terminal, so output
   * sent to a file or a pipe is plain `<name> | <line>` (see colorsByDefault).
   */
  colors?: boolean;
  readyTimeoutMs?: number;
}

const COLORS = [36, 32, 33, 35, 34, 31];

/** Colours only for a terminal, and never under NO_COLOR (https://no-color.org). */
export function colorsByDefault(stdout: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return stdout.isTTY === true && !env.NO_COLOR;
}

/** The name column before each line of a process's output: `inventory            | `, coloured or plain. */
export function linePrefix(name: string, color: number | null): string {
  const column = name.padEnd(20);
  return color === null ? `${column}|` : `\x1b[${color}m${column}\x1b[0m|`;
}

/**
 * The line said when a process exits without being asked to: the harness (and `npm start`) does
 * not restart it; a restart policy is the job of what runs the services in earnest (compose,
 * Kubernetes).
 */
export function unexpectedExitLine(name: string, exit: ProcessExit): string {
  const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
  return `${name} exited (${how}); it is not restarted (npm start has no restart policy: stop with Ctrl-C and start again; compose or Kubernetes restart services)`;
}

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

/** Keeps the last `limit` items of `list` (in place; trimmed in steps, not on every push). */
export function keepLast<T>(list: T[], limit: number): void {
  if (list.length > limit + Math.ceil(limit / 10)) list.splice(0, list.length - limit);
}

/** The line every service prints for a promise nobody handled (libs/platform's runService). */
export const UNHANDLED_REJECTION = /unhandled rejection:/;

/** The line a service prints once its management HTTP server listens (libs/platform's runService). */
const MANAGEMENT_LISTENING = /^[\w-]+: management HTTP on (http:\/\/\S+)$/;
/** The message of a JSON log line (pino's `msg`), or undefined for any other line. */
export function jsonLogMessage(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(line);
    const msg = (parsed as { msg?: unknown } | null)?.msg;
    return typeof msg === 'string' ? msg : undefined;
  } catch {
    return undefined;
  }
}

/** The line a service prints on its first stop signal (libs/platform's exitOnSignals). */
const STOPPING = /^[\w-]+: SIG(TERM|INT): stopping/;

/** How a process ended: its exit code, or the signal that ended it. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One service as its own Node.js process, started the way a user starts it: `node dist/apps/<name>/src/main.js`. */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited?: Promise<ProcessExit>;
  /** The last 2000 lines of its output. */
  readonly lines: string[] = [];
  /**
   * Each unhandled rejection it reported, with the stack lines that followed (the first 20 of
   * them): a test fails on any (System.stop).
   */
  readonly unhandledRejections: string[] = [];
  /** Its management HTTP server (health, metrics), as it printed it; services other than the gateway. */
  managementUrl?: string;
  /** It said it got a stop signal (a terminal's Ctrl-C reaches every process of the group). */
  private stopping = false;
  /** It was told to stop (stop() or signal()): its exit is expected. */
  private stopAsked = false;

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
    this.managementUrl = undefined;
    this.stopping = false;
    this.stopAsked = false;
    const entry = join(this.options.rootDir, 'dist', 'apps', this.name, 'src', 'main.js');
    // LAUNCHER_NODE_ARGS: extra node flags for every service, e.g. `--cpu-prof` when profiling a benchmark.
    const extraArgs = (process.env.LAUNCHER_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...SERVICE_NODE_ARGS(this.options.rootDir), ...extraArgs, entry], {
      cwd: this.options.rootDir,
      env: { ...SERVICE_ENV, ...(this.options.fixedManagementPorts ? {} : { MANAGEMENT_PORT: '0' }), ...this.options.env, ...this.options.envOf?.(this.name), FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const log = this.options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
    const prefix = linePrefix(this.name, (this.options.colors ?? colorsByDefault()) ? this.color : null);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        // Said once, clearly: otherwise a crashed service is only missing lines among the others'.
        if (!this.stopAsked && !this.stopping) log(`${prefix} ${unexpectedExitLine(this.name, { code, signal })}`);
        resolve({ code, signal });
      }),
    );
    let resolveReady: () => void;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));
    for (const stream of [child.stdout!, child.stderr!]) {
      // The stack lines after an "unhandled rejection:" line join its report.
      let stackLinesLeft = 0;
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        keepLast(this.lines, 2000);
        if (STOPPING.test(line)) this.stopping = true;
        const management = MANAGEMENT_LISTENING.exec(line);
        if (management) this.managementUrl = management[1];
        if (UNHANDLED_REJECTION.test(line) && this.unhandledRejections.length < 20) {
          // A JSON log line holds the stack in its message: reported as the lines it stands for.
          const message = jsonLogMessage(line);
          this.unhandledRejections.push(message === undefined ? line : message.split('\n').slice(0, 16).join('\n'));
          stackLinesLeft = message === undefined ? 15 : 0;
        } else if (stackLinesLeft > 0 && /^\s+at /.test(line)) {
          stackLinesLeft--;
          this.unhandledRejections[this.unhandledRejections.length - 1] += `\n${line}`;
        } else {
          stackLinesLeft = 0;
        }
        log(`${prefix} ${line}`);
        if (spec.ready.test(line)) resolveReady();
      });
    }
    const timeoutMs = this.options.readyTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      this.exited.then(({ code }) => {
        throw new Error(`${this.name} exited with code ${code} before it was ready:\n${this.lines.slice(-20).join('\n')}`);
      }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Sends a signal and returns at once (see exit). */
  signal(signal: NodeJS.Signals): void {
    // A pause (SIGSTOP, SIGCONT) is no stop.
    if (signal !== 'SIGSTOP' && signal !== 'SIGCONT') this.stopAsked = true;
    if (this.running) this.child!.kill(signal);
  }

  /** How the process ended, once it has. */
  exit(): Promise<ProcessExit> {
    if (!this.exited) throw new Error(`${this.name} was never started`);
    return this.exited;
  }

  /**
   * Stops the process: SIGTERM (graceful) or SIGKILL (a crash). A service takes up to its
   * SHUTDOWN_TIMEOUT_SECONDS (10 s) to stop; after `timeoutMs` it is killed. Answers whether it
   * exited by itself in time (false: it had to be killed).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<boolean> {
    if (!this.running) return true;
    this.stopAsked = true;
    // One already stopping is let be: a second signal would make it exit at once, unfinished.
    if (!this.stopping || signal === 'SIGKILL') this.child!.kill(signal);
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      this.child?.kill('SIGKILL');
    }, timeoutMs);
    await this.exited;
    clearTimeout(timer);
    return !forced;
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

  /**
   * Where a service's management HTTP server listens (GET /health/live, /health/ready, /metrics),
   * as the running process printed it; a replica's: `replica.managementUrl`.
   */
  managementUrl(name: ProcessName): string {
    const url = this.process(name).managementUrl;
    if (!url) throw new Error(`${name} has not said where its management HTTP server listens (is it started? the gateway has none)`);
    return url;
  }

  /** Starts one more replica of a service, as its own process; `env`: its own settings (a second gateway's port). */
  async startReplica(name: ProcessName, env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
    const options = { ...this.options, env: { ...this.options.env, ...env } };
    const replica = new ServiceProcess(name, options, COLORS[(PROCESSES.findIndex((p) => p.name === name) + this.replicas.length + 1) % COLORS.length]);
    this.replicas.push(replica);
    await replica.start();
    return replica;
  }

  /** Starts the sandbox first, then the services in parallel (they wait on nothing but PostgreSQL and NATS). */
  async start(names: ProcessName[] = PROCESSES.map((p) => p.name)): Promise<void> {
    if (names.includes('amazon-sandbox')) await this.process('amazon-sandbox').start();
    await Promise.all(names.filter((n) => n !== 'amazon-sandbox').map((n) => this.process(n).start()));
  }

  /** Every process of the system, replicas included. */
  all(): ServiceProcess[] {
    return [...this.processes.values(), ...this.replicas];
  }

  /** The unhandled rejections every process reported, each headed by the process's name. */
  unhandledRejections(): string[] {
    return this.all().flatMap((p) => p.unhandledRejections.map((report) => `${p.name} (pid ${p.pid}): ${report}`));
  }

  /** Stops every process, then fails if any reported an unhandled rejection (a bug, whatever the test asserted). */
  async stop(): Promise<void> {
    await Promise.all([...this.replicas, ...[...this.processes.values()].reverse()].map((p) => p.stop()));
    assertNoUnhandledRejections(this.unhandledRejections());
  }
}

export function assertNoUnhandledRejections(reports: string[]): void {
  if (reports.length) throw new Error(`${reports.length} unhandled rejection(s) in the system's processes:\n${reports.join('\n')}`);
}
