import { IsInt, IsString, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { validateSync } from 'class-validator';
import { DATABASE_DEFAULTS, postgresConnectionOptions } from '@connector/persistence';
import { loadSettings, ServiceSettings, SettingsError } from './config';
import { credentialsKeyProblems, DEVELOPMENT_CREDENTIALS_KEY, IsCredentialsKey } from './credentials-key';
import { redactUrl } from './preflight';
import { SecretBox } from './secret-box';
import { cacheValidationMetadata, fieldErrors } from './validation';

class WorkerSettings extends ServiceSettings {
  @Type(() => Number) @IsInt() @Min(1) WORKERS = 4;
}

describe('settings', () => {
  it('takes defaults, reads the environment and converts numbers', () => {
    const settings = loadSettings(WorkerSettings, { WORKERS: '8', NATS_NAMESPACE: 'shop1' });
    expect(settings).toMatchObject({ WORKERS: 8, NATS_NAMESPACE: 'shop1', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres' });
  });

  it('says why a checked setting is wrong, and NODE_ENV=production names the first development default', () => {
    class KeyedSettings extends ServiceSettings {
      @IsCredentialsKey() CREDENTIALS_KEY = DEVELOPMENT_CREDENTIALS_KEY;
      override productionProblems(): string[] {
        return [...super.productionProblems(), ...credentialsKeyProblems(this.CREDENTIALS_KEY)];
      }
    }
    expect(() => loadSettings(KeyedSettings, { CREDENTIALS_KEY: 'short' })).toThrow('invalid setting CREDENTIALS_KEY: CREDENTIALS_KEY must be at least 16 characters');
    expect(() => loadSettings(KeyedSettings, { CREDENTIALS_KEY: 'base64:AAAA' })).toThrow(/32 bytes/);
    expect(() => loadSettings(KeyedSettings, { NODE_ENV: 'production' })).toThrow(/refusing to start in production .*NATS_USER/);
    expect(() => loadSettings(KeyedSettings, { NODE_ENV: 'production', NATS_TOKEN: 't' })).toThrow(/CREDENTIALS_KEY must be your own key/);
    expect(loadSettings(KeyedSettings, { NODE_ENV: 'production', NATS_TOKEN: 't', CREDENTIALS_KEY: `base64:${Buffer.alloc(32).toString('base64')}` }).NODE_ENV).toBe('production');
    // Rotating away from a published key: it may follow the new one, never lead.
    expect(loadSettings(KeyedSettings, { NODE_ENV: 'production', NATS_TOKEN: 't', CREDENTIALS_KEY: `base64:${Buffer.alloc(32).toString('base64')},change-me-to-a-long-random-secret` }).NODE_ENV).toBe('production');
    expect(() => loadSettings(KeyedSettings, { NODE_ENV: 'production', NATS_TOKEN: 't', CREDENTIALS_KEY: `change-me-to-a-long-random-secret,base64:${Buffer.alloc(32).toString('base64')}` })).toThrow(/CREDENTIALS_KEY must be your own key/);
    expect(() => loadSettings(KeyedSettings, { NATS_USER: 'u' })).toThrow(/NATS_USER and NATS_PASSWORD go together/);
    expect(() => loadSettings(KeyedSettings, { NATS_USER: 'u', NATS_PASSWORD: 'p', NATS_TOKEN: 't' })).toThrow(/one way to authenticate/);
  });

  it('has the database defaults of libs/persistence (used when a data source is given only a URL)', () => {
    expect(new ServiceSettings()).toMatchObject(DATABASE_DEFAULTS);
  });

  it('turns the database settings into pool and session settings, and refuses nonsense', () => {
    const settings = loadSettings(ServiceSettings, { DATABASE_STATEMENT_TIMEOUT_SECONDS: '2.5', DATABASE_POOL_SIZE: '3', SHUTDOWN_TIMEOUT_SECONDS: '4' });
    expect(postgresConnectionOptions(settings)).toMatchObject({
      max: 3,
      statement_timeout: 2500,
      query_timeout: 7500,
      lock_timeout: 10_000,
      idle_in_transaction_session_timeout: 60_000,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 10_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    expect(settings.SHUTDOWN_TIMEOUT_SECONDS).toBe(4);
    expect(() => loadSettings(ServiceSettings, { DATABASE_STATEMENT_TIMEOUT_SECONDS: '0' })).toThrow(/invalid setting DATABASE_STATEMENT_TIMEOUT_SECONDS/);
    expect(() => loadSettings(ServiceSettings, { DATABASE_POOL_SIZE: '1.5' })).toThrow(/invalid setting DATABASE_POOL_SIZE/);
    expect(() => loadSettings(ServiceSettings, { SHUTDOWN_TIMEOUT_SECONDS: 'soon' })).toThrow(/invalid setting SHUTDOWN_TIMEOUT_SECONDS/);
  });

  it('reads the management server settings: the service\'s own port unless set, 0 for any, nothing else', () => {
    expect(loadSettings(ServiceSettings, {})).toMatchObject({ MANAGEMENT_PORT: undefined, MANAGEMENT_HOST: '127.0.0.1' });
    expect(loadSettings(ServiceSettings, { MANAGEMENT_PORT: '0', MANAGEMENT_HOST: '0.0.0.0' })).toMatchObject({ MANAGEMENT_PORT: 0, MANAGEMENT_HOST: '0.0.0.0' });
    expect(() => loadSettings(ServiceSettings, { MANAGEMENT_PORT: '70000' })).toThrow(/invalid setting MANAGEMENT_PORT/);
    expect(() => loadSettings(ServiceSettings, { MANAGEMENT_PORT: 'http' })).toThrow(/invalid setting MANAGEMENT_PORT/);
    expect(() => loadSettings(ServiceSettings, { MANAGEMENT_HOST: '' })).toThrow(/invalid setting MANAGEMENT_HOST/);
  });

  it('names the bad setting', () => {
    expect(() => loadSettings(WorkerSettings, { DATABASE_URL: 'mysql://x' })).toThrow(new SettingsError('invalid setting DATABASE_URL: DATABASE_URL must be a postgres:// URL'));
    expect(() => loadSettings(WorkerSettings, { WORKERS: '0' })).toThrow(/invalid setting WORKERS/);
  });
});

describe('SecretBox', () => {
  const passphrase = 'a key of at least sixteen chars';
  const raw = `base64:${Buffer.alloc(32, 7).toString('base64')}`;
  const where = 'seller_accounts/1/refreshToken';

  it('encrypts with a fresh IV each time and decrypts, with a passphrase or a raw 32-byte key', () => {
    for (const key of [passphrase, raw]) {
      const box = new SecretBox(key);
      const sealed = box.encrypt('Atzr|refresh-token', where);
      expect(sealed).toMatch(/^v2:[0-9a-f]{8}:/);
      expect(sealed).not.toContain('Atzr');
      expect(box.encrypt('Atzr|refresh-token', where)).not.toBe(sealed);
      expect(box.decrypt(sealed, where)).toBe('Atzr|refresh-token');
    }
  });

  it('binds a secret to its record and field: copied elsewhere it does not open', () => {
    const box = new SecretBox(passphrase);
    const sealed = box.encrypt('secret', where);
    expect(() => box.decrypt(sealed, 'seller_accounts/2/refreshToken')).toThrow(/does not open/);
    expect(() => box.decrypt(sealed, 'seller_accounts/1/clientSecret')).toThrow(/does not open/);
  });

  it('refuses a tampered secret, a truncated tag, another key and a weak key', () => {
    const box = new SecretBox(passphrase);
    const parts = box.encrypt('secret', where).split(':');
    expect(() => box.decrypt([...parts.slice(0, 4), Buffer.from('other').toString('base64')].join(':'), where)).toThrow();
    expect(() => box.decrypt([...parts.slice(0, 3), parts[3].slice(0, 8), parts[4]].join(':'), where)).toThrow(/truncated tag/);
    expect(() => new SecretBox('another key that is long enough').decrypt(parts.join(':'), where)).toThrow(/does not hold/);
    expect(() => new SecretBox('short')).toThrow(/at least 16/);
    expect(() => new SecretBox('base64:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => new SecretBox('')).toThrow(/at least one key/);
  });

  it('rotates: the first key seals, every key opens, and says what to seal again', () => {
    const old = new SecretBox(passphrase);
    const sealedWithOld = old.encrypt('secret', where);
    const rotated = new SecretBox(`${raw},${passphrase}`);
    expect(rotated.decrypt(sealedWithOld, where)).toBe('secret');
    expect(rotated.needsResealing(sealedWithOld)).toBe(true);
    const resealed = rotated.encrypt('secret', where);
    expect(rotated.needsResealing(resealed)).toBe(false);
    expect(() => old.decrypt(resealed, where)).toThrow(/does not hold/);
  });

  it('still opens the v1 format (SHA-256 of the passphrase, no associated data) and asks to seal it again', () => {
    const { createCipheriv, createHash } = jest.requireActual('node:crypto');
    const iv = Buffer.alloc(12, 1);
    const cipher = createCipheriv('aes-256-gcm', createHash('sha256').update(passphrase).digest(), iv);
    const data = Buffer.concat([cipher.update('legacy', 'utf8'), cipher.final()]);
    const v1 = ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
    const box = new SecretBox(`${raw},${passphrase}`);
    expect(box.decrypt(v1, where)).toBe('legacy');
    expect(box.needsResealing(v1)).toBe(true);
    expect(() => new SecretBox(raw).decrypt(v1, where)).toThrow(/v1/);
  });
});

describe('helpers', () => {
  it('hides a password in a URL', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/x')).toBe('postgres://app:***@db:5432/x');
  });

  it('flattens nested validation errors into field paths', () => {
    class Line {
      @IsInt() quantity: number;
    }
    const line = Object.assign(new Line(), { quantity: 'x' });
    const errors = validateSync(line);
    expect(fieldErrors(errors, 'lines.0')).toEqual([{ field: 'lines.0.quantity', errors: ['quantity must be an integer number'] }]);
  });
});

describe('cached validation metadata', () => {
  class Party {
    @IsString() name: string;
  }
  class Buyer extends Party {
    @IsInt() @Min(1, { groups: ['strict'] }) orders: number;
  }
  const failing = (object: object, groups?: string[]) =>
    validateSync(object, { groups })
      .map((e) => `${e.property}: ${Object.keys(e.constraints ?? {}).join(',')}`)
      .sort();

  it('validates exactly as without the cache: inherited rules, groups, each class its own', () => {
    const buyer = Object.assign(new Buyer(), { name: 7, orders: 0 });
    const party = Object.assign(new Party(), { name: 7, orders: 'x' });
    const before = [failing(buyer), failing(buyer, ['strict']), failing(party)];
    cacheValidationMetadata();
    cacheValidationMetadata(); // a second call changes nothing
    for (let i = 0; i < 2; i++) expect([failing(buyer), failing(buyer, ['strict']), failing(party)]).toEqual(before);
    expect(before).toEqual([['name: isString', 'orders: min'], ['orders: min'], ['name: isString']]);
  });
});
