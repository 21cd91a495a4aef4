/** Options of one sandbox instance (from env in main.ts, or given by tests). */
export interface SandboxOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  host: string;
  /** Multiplies how fast rate-limit buckets refill (and how fast feeds get processed). */
  timeScale: number;
  /** When false, no call is ever throttled (headers are still sent). */
  rateLimits: boolean;
  /** Nest logger levels; false silences Nest (tests). */
  logger?: false | ('log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal')[];
}

export const SANDBOX_OPTIONS = Symbol('SANDBOX_OPTIONS');

export const DEFAULT_SANDBOX_OPTIONS: SandboxOptions = {
  port: 4500,
  host: '0.0.0.0',
  timeScale: 1,
  rateLimits: true,
};

/**
 * Reads SANDBOX_* variables and refuses bad values loudly, so a typo in a compose file
 * does not silently start a sandbox with other limits than intended.
 */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxOptions {
  const errors: string[] = [];
  const port = env.SANDBOX_PORT === undefined || env.SANDBOX_PORT === '' ? 4500 : Number(env.SANDBOX_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) errors.push(`SANDBOX_PORT must be an integer 0..65535, got "${env.SANDBOX_PORT}"`);
  const host = env.SANDBOX_HOST || '0.0.0.0';
  const timeScale = env.SANDBOX_TIME_SCALE === undefined || env.SANDBOX_TIME_SCALE === '' ? 1 : Number(env.SANDBOX_TIME_SCALE);
  if (!Number.isFinite(timeScale) || timeScale <= 0) errors.push(`SANDBOX_TIME_SCALE must be a positive number, got "${env.SANDBOX_TIME_SCALE}"`);
  const rl = (env.SANDBOX_RATE_LIMITS ?? 'on').toLowerCase();
  if (!['on', 'off', 'true', 'false', '1', '0', ''].includes(rl)) errors.push(`SANDBOX_RATE_LIMITS must be on|off, got "${env.SANDBOX_RATE_LIMITS}"`);
  if (errors.length) throw new Error(`Invalid sandbox configuration: ${errors.join('; ')}`);
  return { port, host, timeScale, rateLimits: !['off', 'false', '0'].includes(rl) };
}
