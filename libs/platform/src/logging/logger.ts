import pino, { DestinationStream, Logger as PinoInstance, LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { workContext } from '@connector/workers';
import { REDACTED, redactedPaths } from './redaction';

export type LogFormat = 'json' | 'pretty';

/** LOG_LEVEL speaks Nest's names; pino's for the same. */
const PINO_LEVEL: Record<string, pino.LevelWithSilent> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

export interface LogOptions {
  /** The service's name, on every line. */
  service: string;
  /** Nest's level names (LOG_LEVEL): error, warn, log, debug, verbose. */
  level?: string;
  format?: LogFormat;
  /** Where lines go: stdout by default (tests pass a stream). */
  destination?: DestinationStream;
}

/**
 * The process's pino logger: one JSON object per line (`time`, `level`, `service`, `context`,
 * `msg`, and the work's `correlationId`, `accountId`, `amazonOrderId` where known), or
 * pino-pretty's lines for people (LOG_FORMAT=pretty, as `npm start` sets). Written
 * synchronously, so nothing is lost when the process exits.
 */
export function createRootLogger(options: LogOptions): PinoInstance {
  const config: LoggerOptions = {
    level: PINO_LEVEL[options.level ?? 'log'] ?? 'info',
    base: { service: options.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // Every line carries what the work under way is about (libs/workers' WorkContext); fields
    // given to the log call itself win.
    mixin: () => ({ ...workContext() }),
    redact: { paths: redactedPaths(), censor: REDACTED },
    // Not pino's default, which copies every enumerable field of an error: TypeORM's and pg's
    // carry the query's `parameters`, `query`, and `detail`/`where` ("Key (email)=(…)"), which may
    // hold a buyer's values (Nest's exception filters log the error object as it is).
    serializers: { err: errorFields },
  };
  const destination = options.destination ?? (options.format === 'pretty' ? prettyLines() : pino.destination({ dest: 1, sync: true }));
  return pino(config, destination);
}

/**
 * What a log line says of an error: its class, message, stack, and (pg's SQLSTATE, Node's
 * ECONNREFUSED...) code; its cause the same way. Nothing else of it, whatever fields it carries.
 */
export function errorFields(err: unknown): unknown {
  return errorFieldsWithin(err, 0);
}

function errorFieldsWithin(err: unknown, depth: number): unknown {
  if (!err || typeof err !== 'object') return err;
  const e = err as { name?: unknown; message?: unknown; stack?: unknown; code?: unknown; cause?: unknown; driverError?: unknown };
  const fields: Record<string, unknown> = {};
  if (err instanceof Error) fields.type = err.constructor?.name && err.constructor.name !== 'Error' ? err.constructor.name : err.name;
  if (typeof e.message === 'string') fields.message = e.message;
  if (typeof e.stack === 'string') fields.stack = e.stack;
  if (typeof e.code === 'string' || typeof e.code === 'number') fields.code = e.code;
  const cause = e.cause ?? e.driverError;
  if (cause && depth < 3) fields.cause = errorFieldsWithin(cause, depth + 1);
  return fields;
}

/** pino-pretty, written synchronously, one line per entry: `[time] INFO: SyncService: sync run … started {"correlationId":…}`. */
function prettyLines(): DestinationStream {
  return pretty({ sync: true, singleLine: true, colorize: !process.env.NO_COLOR, ignore: 'pid,hostname,service,context', messageFormat: '{if context}{context}: {end}{msg}' });
}

/**
 * nestjs-pino's PinoLogger bound to one root logger: its own keeps the first root it was ever
 * given in a module variable (one per process is its use; tests make several).
 */
class RootPinoLogger extends PinoLogger {
  constructor(private readonly root: PinoInstance) {
    super({ pinoHttp: { logger: root } });
  }

  override get logger(): PinoInstance {
    return this.root;
  }
}

/** Nest's logger interface over that logger (nestjs-pino): Nest's own lines and every `new Logger(context)`. */
export function nestLoggerOf(root: PinoInstance): NestPinoLogger {
  return new NestPinoLogger(new RootPinoLogger(root), {});
}
