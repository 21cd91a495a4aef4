import { IngestionDatabase, insertSellerAccount } from '../../test/ingestion-database';
import { createCipheriv, createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { accountSecretContext, SecretBox } from '@connector/platform';
import { resealAccountSecrets } from './credentials-rotation';

const OLD_KEY = 'the old passphrase that is long enough';
const NEW_KEY = `base64:${randomBytes(32).toString('base64')}`;

/** How a secret was sealed before v2: SHA-256 of the passphrase, no associated data. */
function sealV1(plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', createHash('sha256').update(OLD_KEY).digest(), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
}

describe('credentials rotation on real PostgreSQL: every account secret sealed again with the new key', () => {
  const database = new IngestionDatabase();
  let db: DataSource;

  beforeAll(async () => {
    db = await database.setUp();
  });
  afterAll(async () => {
    await database.tearDown();
  });

  const insertAccount = async (seal: (plain: string, id: string, field: 'clientSecret' | 'refreshToken') => string, n: number) => {
    const id = randomUUID();
    return insertSellerAccount(db, {
      id,
      name: 'rotation',
      sellerId: `A2ROTATE${String(n).padStart(5, '0')}`,
      syncEnabled: false,
      encryptedClientSecret: seal(`secret-${n}`, id, 'clientSecret'),
      encryptedRefreshToken: seal(`Atzr|token-${n}`, id, 'refreshToken'),
      apiEndpoint: 'https://sellingpartnerapi-eu.amazon.com',
      lwaEndpoint: 'https://api.amazon.com/auth/o2/token',
    });
  };

  it('reseals v1 and old-key values, opens them the same, leaves current ones alone, and is a no-op the second time', async () => {
    const oldBox = new SecretBox(OLD_KEY);
    const ids: string[] = [];
    // More than one batch, in three generations: v1, v2 under the old key, v2 under the new key.
    for (let n = 0; n < 150; n++) ids.push(await insertAccount((plain) => sealV1(plain), n));
    for (let n = 150; n < 300; n++) ids.push(await insertAccount((plain, id, field) => oldBox.encrypt(plain, accountSecretContext(id, field)), n));
    const rotated = new SecretBox(`${NEW_KEY},${OLD_KEY}`);
    for (let n = 300; n < 320; n++) ids.push(await insertAccount((plain, id, field) => rotated.encrypt(plain, accountSecretContext(id, field)), n));

    expect(await resealAccountSecrets(db, rotated)).toEqual({ accounts: 320, resealed: 300 });

    // The new key alone opens every one, and each still opens only in its own row.
    const newOnly = new SecretBox(NEW_KEY);
    const rows: { id: string; seller_id: string; encrypted_client_secret: string; encrypted_refresh_token: string }[] = await db.query(
      `select id, seller_id, encrypted_client_secret, encrypted_refresh_token from ingestion.seller_accounts`,
    );
    for (const row of rows) {
      const n = Number(row.seller_id.slice(-5));
      expect(newOnly.decrypt(row.encrypted_client_secret, accountSecretContext(row.id, 'clientSecret'))).toBe(`secret-${n}`);
      expect(newOnly.decrypt(row.encrypted_refresh_token, accountSecretContext(row.id, 'refreshToken'))).toBe(`Atzr|token-${n}`);
      expect(row.encrypted_refresh_token.startsWith(`v2:${newOnly.currentKeyId}:`)).toBe(true);
    }
    expect(await resealAccountSecrets(db, rotated)).toEqual({ accounts: 320, resealed: 0 });
  });
});
