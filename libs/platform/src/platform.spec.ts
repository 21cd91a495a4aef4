import { IsInt, IsString, Min } from 'class-validator';
import { Type } from 'class-transformer';
import { validateSync } from 'class-validator';
import { loadSettings, ServiceSettings, SettingsError } from './config';
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

  it('names the bad setting', () => {
    expect(() => loadSettings(WorkerSettings, { DATABASE_URL: 'mysql://x' })).toThrow(new SettingsError('invalid setting DATABASE_URL: DATABASE_URL must be a postgres:// URL'));
    expect(() => loadSettings(WorkerSettings, { WORKERS: '0' })).toThrow(/invalid setting WORKERS/);
  });
});

describe('SecretBox', () => {
  it('encrypts with a fresh IV each time and decrypts', () => {
    const box = new SecretBox('a key of at least sixteen chars');
    const sealed = box.encrypt('Atzr|refresh-token');
    expect(sealed).not.toContain('Atzr');
    expect(box.encrypt('Atzr|refresh-token')).not.toBe(sealed);
    expect(box.decrypt(sealed)).toBe('Atzr|refresh-token');
  });

  it('refuses a tampered secret or another key', () => {
    const box = new SecretBox('a key of at least sixteen chars');
    const sealed = box.encrypt('secret');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('other').toString('base64');
    expect(() => box.decrypt(parts.join(':'))).toThrow();
    expect(() => new SecretBox('another key, also long enough').decrypt(sealed)).toThrow();
    expect(() => new SecretBox('short')).toThrow(/at least 16/);
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
