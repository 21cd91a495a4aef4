import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, Matches, validateSync } from 'class-validator';

/** Settings every service reads. Services extend this class with their own. */
export class ServiceSettings {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL: string = 'postgres://postgres@127.0.0.1:5432/postgres';

  @Matches(/^(nats|tls):\/\/.+/, { message: 'NATS_URL must be a nats:// URL' })
  NATS_URL: string = 'nats://127.0.0.1:4222';

  /**
   * Prefix of every NATS subject and of the JetStream stream, so several installations
   * (or test runs) can share one NATS server without hearing each other.
   */
  @Matches(/^[a-z][a-z0-9_-]{0,30}$/, { message: 'NATS_NAMESPACE must be lower-case letters, digits, - or _' })
  NATS_NAMESPACE: string = 'connector';

  @IsOptional() @IsIn(['error', 'warn', 'log', 'debug', 'verbose'])
  LOG_LEVEL: string = 'log';
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
  return settings;
}
