import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNotEmpty, IsNumber, IsOptional, IsPositive, IsString, Matches, Max, Min, validateSync } from 'class-validator';
// Types only: loading the settings alone does not load TypeORM.
import type { DatabaseSettings } from '@connector/persistence';
import { natsAuthMethod, natsSettingsProblem } from './nats-connection';

/** Settings every service reads. Services extend this class with their own. */
export class ServiceSettings implements DatabaseSettings {
  /** `production` refuses every development default (see productionProblems). */
  @IsString() NODE_ENV: string = 'development';

  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/postgres';

  // How the service's connections to PostgreSQL behave when it is slow or gone (applied in
  // libs/persistence's serviceDataSourceOptions, whose DATABASE_DEFAULTS are these defaults: a
  // test keeps them equal). Fractions of seconds are allowed (tests).
  /** Connections of the service's pool (per process). */
  @Type(() => Number) @IsInt() @Min(1) @Max(200)
  DATABASE_POOL_SIZE: number = 10;
  /** Opening a connection (TCP, TLS, authentication) fails after this. */
  @Type(() => Number) @IsNumber() @IsPositive()
  DATABASE_CONNECT_TIMEOUT_SECONDS: number = 10;
  /**
   * PostgreSQL cancels a statement running longer (statement_timeout); a query with no answer at
   * all 5 s after it fails in the service and its connection is dropped (a silent server).
   */
  @Type(() => Number) @IsNumber() @IsPositive()
  DATABASE_STATEMENT_TIMEOUT_SECONDS: number = 30;
  /** A statement waiting this long for a row or table lock fails (lock_timeout). */
  @Type(() => Number) @IsNumber() @IsPositive()
  DATABASE_LOCK_TIMEOUT_SECONDS: number = 10;
  /** PostgreSQL ends a session whose transaction stays open and idle this long, freeing its locks. */
  @Type(() => Number) @IsNumber() @IsPositive()
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS: number = 60;
  /** An unused pooled connection is closed after this. */
  @Type(() => Number) @IsNumber() @IsPositive()
  DATABASE_POOL_IDLE_TIMEOUT_SECONDS: number = 10;
  /** TCP keepalive probes start after a connection was silent this long (a peer gone without a word is found). */
  @Type(() => Number) @IsNumber() @IsPositive()
  DATABASE_KEEPALIVE_DELAY_SECONDS: number = 10;

  @Matches(/^(nats|tls):\/\/.+/, { message: 'NATS_URL must be a nats:// URL' })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /**
   * Prefix of every NATS subject and of the JetStream stream, so several installations
   * (or test runs) can share one NATS server without hearing each other.
   */
  @Matches(/^[a-z][a-z0-9_-]{0,30}$/, { message: 'NATS_NAMESPACE must be lower-case letters, digits, - or _' })
  NATS_NAMESPACE: string = 'connector';

  /**
   * Copies the JetStream stream keeps, on as many nodes of a NATS cluster (1, 3 or 5; 1 for a
   * single server). Applies when the stream is created; NATS moves an existing one with
   * `nats stream edit --replicas`.
   */
  @Type(() => Number) @IsIn([1, 3, 5], { message: 'NATS_STREAM_REPLICAS must be 1, 3 or 5' })
  NATS_STREAM_REPLICAS: number = 1;

  @IsOptional() @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';

  /** `json`: one JSON object per line (for log collectors); `pretty`: lines for people (`npm start`). */
  @IsOptional() @IsIn(['json', 'pretty'], { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT: 'json' | 'pretty' = 'json';

  /**
   * Buyers' personal data (names, addresses, phones, e-mails, gift messages) is kept this many
   * days after its order closed (shipped or cancelled), in every copy: partners, orders,
   * deliveries, quarantined and parked data, and the event stream (whose age is capped by it).
   * Amazon's Data Protection Policy asks for 30. Fractions are allowed (tests).
   */
  @Type(() => Number) @IsNumber() @IsPositive() @Max(3650)
  PERSONAL_DATA_RETENTION_DAYS: number = 30;
  /** How often each service's retention run looks for personal data past its time. */
  @Type(() => Number) @IsNumber() @IsPositive()
  RETENTION_INTERVAL_SECONDS: number = 3600;

  /**
   * On SIGTERM or SIGINT the service stops taking work, lets what runs finish or hands it back,
   * and exits; past this many seconds it exits anyway (code 1). A second signal exits at once.
   */
  @Type(() => Number) @IsNumber() @IsPositive() @Max(3600)
  SHUTDOWN_TIMEOUT_SECONDS: number = 10;

  /**
   * How long in all a request to another service that may be asked twice (its contract is
   * idempotent: partners.resolve, inventory.products.resolve) is tried again, with back-off,
   * while NATS or that service is away, before the caller's work fails.
   */
  @Type(() => Number) @IsNumber() @Min(0) @Max(3600)
  SERVICE_REQUEST_RETRY_SECONDS: number = 60;

  /**
   * Port of the service's management HTTP server (GET /health/live, /health/ready, /metrics); 0:
   * any free port (tests). Unset: the service's own default (MANAGEMENT_PORTS, 9101-9104). Not
   * read by the gateway, which serves those routes on GATEWAY_PORT.
   */
  @IsOptional() @Type(() => Number) @IsInt() @Min(0) @Max(65535)
  MANAGEMENT_PORT?: number = undefined;
  /**
   * Address the management server listens on. Its routes need no API key, so the default keeps
   * them on the machine; a container sets 0.0.0.0 for its healthcheck and Prometheus.
   */
  @IsString() @IsNotEmpty()
  MANAGEMENT_HOST: string = '127.0.0.1';

  // NATS authentication (one way) and TLS: every connection of the service uses them.
  @IsString() NATS_USER: string = '';
  @IsString() NATS_PASSWORD: string = '';
  @IsString() NATS_TOKEN: string = '';
  /** A .creds file (user JWT and NKEY seed), as `nsc` writes it. */
  @IsString() NATS_CREDENTIALS_FILE: string = '';
  /** A file holding an NKEY user seed (SU...). */
  @IsString() NATS_NKEY_SEED_FILE: string = '';
  @IsString() NATS_TLS_CA_FILE: string = '';
  @IsString() NATS_TLS_CERT_FILE: string = '';
  @IsString() NATS_TLS_KEY_FILE: string = '';

  /** Settings that are wrong only together: one line each, naming the settings. */
  problems(): string[] {
    const nats = natsSettingsProblem(this);
    return nats ? [nats] : [];
  }

  /** The development defaults this service would use; NODE_ENV=production refuses to start with any. */
  productionProblems(): string[] {
    return natsAuthMethod(this) === 'none' ? ['NATS_USER (or NATS_TOKEN, NATS_CREDENTIALS_FILE, NATS_NKEY_SEED_FILE) must be set in production: NATS without authentication is an open door'] : [];
  }
}

export class SettingsError extends Error {}

/**
 * Reads and validates settings from the environment. Defaults come from the class, so a
 * fresh clone runs against the local PostgreSQL and NATS with no setup.
 */
export function loadSettings<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv = process.env): T {
  const defaults = new cls() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) raw[key] = env[key] ?? defaults[key];
  const settings = plainToInstance(cls, raw, { enableImplicitConversion: true });
  const errors = validateSync(settings as object, { whitelist: false });
  if (errors.length > 0) {
    const first = errors[0];
    const reason = Object.values(first.constraints ?? {}).join('; ');
    throw new SettingsError(`invalid setting ${first.property}: ${reason}`);
  }
  const problems = (settings as ServiceSettings).problems?.() ?? [];
  if (problems.length) throw new SettingsError(`invalid settings: ${problems[0]}`);
  if ((settings as ServiceSettings).NODE_ENV === 'production') {
    const refused = (settings as ServiceSettings).productionProblems?.() ?? [];
    if (refused.length) throw new SettingsError(`refusing to start in production (NODE_ENV=production): ${refused[0]}`);
  }
  return settings;
}
