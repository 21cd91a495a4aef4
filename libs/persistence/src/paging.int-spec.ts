import { Column, CreateDateColumn, DataSource, Entity, PrimaryColumn } from 'typeorm';
import { TestEnvironment } from '@connector/test-environment';
import { decodeCursor, encodeCursor } from './cursor';
import { cursorAfter, InvalidCursorError, pageOf, PageOrder } from './paging';
import { SnakeNamingStrategy } from './snake-naming.strategy';

@Entity({ name: 'parcels' })
class Parcel {
  @PrimaryColumn('text') id: string;
  @Column('timestamptz', { nullable: true }) latestShipDate: Date | null;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}

const BY_SHIP_DATE: PageOrder<Parcel> = { at: 'latestShipDate' };

/** Keyset paging on PostgreSQL: a cursor continues the list in the order it was handed out for, and no other. */
describe('list paging on PostgreSQL', () => {
  const env = new TestEnvironment();
  let db: DataSource;

  const page = (cursor: string | undefined, order?: PageOrder<Parcel>) =>
    pageOf(db.getRepository(Parcel).createQueryBuilder('p'), 'p', { limit: 2, cursor }, (p) => p.id, order);
  const walk = async (order?: PageOrder<Parcel>) => {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const next = await page(cursor, order);
      ids.push(...next.items);
      cursor = next.nextCursor;
    } while (cursor);
    return ids;
  };

  beforeAll(async () => {
    await env.setUp();
    db = await new DataSource({ type: 'postgres', url: env.databaseUrl, entities: [Parcel], namingStrategy: new SnakeNamingStrategy() }).initialize();
    await db.query(`create table parcels (id text primary key, latest_ship_date timestamptz, created_at timestamptz(3) not null)`);
    // Made in one order (p1 first), due in the opposite one; p3 has no ship-by date (last when sorted by it).
    await db.query(`insert into parcels values
      ('p1', '2026-12-09T10:00:00Z', '2026-12-01T10:00:00Z'),
      ('p2', '2026-12-08T10:00:00Z', '2026-12-01T11:00:00Z'),
      ('p3', null,                   '2026-12-01T12:00:00Z'),
      ('p4', '2026-12-07T10:00:00Z', '2026-12-01T13:00:00Z'),
      ('p5', '2026-12-06T10:00:00Z', '2026-12-01T14:00:00Z')`);
  });

  afterAll(async () => {
    await db?.destroy();
    await env.tearDown();
  });

  it('pages each order to the end, each row once', async () => {
    expect(await walk()).toEqual(['p1', 'p2', 'p3', 'p4', 'p5']);
    expect(await walk(BY_SHIP_DATE)).toEqual(['p5', 'p4', 'p2', 'p1', 'p3']);
  });

  it('refuses a cursor of one sort offered to the list sorted by another, instead of skipping or repeating rows', async () => {
    const byShipDate = (await page(undefined, BY_SHIP_DATE)).nextCursor!;
    const byCreation = (await page(undefined)).nextCursor!;
    // Read as a creation time, the first cursor (p4's ship-by date, after every creation) would end the list at once.
    await expect(page(byShipDate)).rejects.toThrow(InvalidCursorError);
    await expect(page(byShipDate)).rejects.toThrow(/another sort order/);
    // Read as a ship-by date, the second (p2's creation, before every ship-by date) would hand out p5 and p4 again.
    await expect(page(byCreation, BY_SHIP_DATE)).rejects.toThrow(/another sort order/);
    // Each goes on in its own order.
    expect((await page(byShipDate, BY_SHIP_DATE)).items).toEqual(['p2', 'p1']);
    expect((await page(byCreation)).items).toEqual(['p3', 'p4']);
  });

  it('names the sort in cursors of a list not sorted by creation; those by creation are written as before', async () => {
    const p4 = await db.getRepository(Parcel).findOneByOrFail({ id: 'p4' });
    expect(decodeCursor(cursorAfter(p4, BY_SHIP_DATE))).toEqual({ at: '2026-12-07T10:00:00.000Z', id: 'p4', sort: 'latestShipDate' });
    expect(cursorAfter(p4)).toBe(encodeCursor({ at: '2026-12-01T13:00:00.000Z', id: 'p4' }));
    // A cursor naming a column this list is not sorted by is refused too.
    await expect(page(encodeCursor({ at: '2026-12-01T13:00:00.000Z', id: 'p4', sort: 'updatedAt' }))).rejects.toThrow(InvalidCursorError);
  });
});
