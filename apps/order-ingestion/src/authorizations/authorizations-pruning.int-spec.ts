import { DataSource } from 'typeorm';
import { newRowId } from '@connector/persistence';
import { IngestionDatabase } from '../../test/ingestion-database';
import { Authorization } from './authorization.entity';
import { AUTHORIZATIONS_KEPT_DAYS, pruneAuthorizations } from './authorizations.service';

/** Authorizations do not pile up: those whose state expired more than a week ago go, used or not; the rest stay. */
describe('authorizations pruned (real PostgreSQL)', () => {
  const database = new IngestionDatabase();
  let db: DataSource;

  beforeAll(async () => {
    db = await database.setUp();
  });

  afterAll(async () => {
    await database.tearDown();
  });

  it('deletes the authorizations expired for longer than the days kept, used or not, and keeps the others', async () => {
    const day = 86_400_000;
    const authorization = async (expiredDaysAgo: number, used: boolean) => {
      const id = newRowId();
      const expiresAt = new Date(Date.now() - expiredDaysAgo * day);
      await db.getRepository(Authorization).insert({
        id,
        region: 'EU',
        apiEndpoint: 'https://sellingpartnerapi-eu.amazon.com',
        lwaEndpoint: 'https://api.amazon.com/auth/o2/token',
        requestedByKeyName: 'admin',
        expiresAt,
        usedAt: used ? new Date(expiresAt.getTime() - 60_000) : null,
        outcome: used ? 'created' : null,
      });
      return id;
    };
    const oldUnused = await authorization(AUTHORIZATIONS_KEPT_DAYS + 1, false);
    const oldUsed = await authorization(AUTHORIZATIONS_KEPT_DAYS + 30, true);
    const recentlyExpired = await authorization(1, false);
    const recentlyUsed = await authorization(AUTHORIZATIONS_KEPT_DAYS - 1, true);
    const open = await authorization(-0.005, false);

    expect(await pruneAuthorizations(db.manager)).toBe(2);
    const left = (await db.getRepository(Authorization).find()).map((a) => a.id).sort();
    expect(left).toEqual([recentlyExpired, recentlyUsed, open].sort());
    expect(left).not.toContain(oldUnused);
    expect(left).not.toContain(oldUsed);
    expect(await pruneAuthorizations(db.manager)).toBe(0);
  });
});
