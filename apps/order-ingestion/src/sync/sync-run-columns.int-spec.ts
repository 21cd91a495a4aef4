import { DataSource } from 'typeorm';
import { IngestionDatabase } from '../../test/ingestion-database';
import { SyncRun } from './sync-run.entity';
import { RUN_END_SQL, RUN_START_ONLY_COLUMNS, RUN_START_SQL } from './sync.service';

/** The run's start and end are plain SQL with their columns listed by hand: none of SyncRun's may be missing. */
describe("sync run's hand-listed columns", () => {
  const database = new IngestionDatabase();
  let db: DataSource;
  beforeAll(async () => {
    db = await database.setUp();
  });
  afterAll(() => database.tearDown());

  const entityColumns = () => db.getMetadata(SyncRun).columns.map((c) => c.databaseName).sort();
  const setColumns = (sql: string) => [...sql.slice(sql.indexOf(' set ') + 5, sql.indexOf(' where ')).matchAll(/(\w+)\s*=/g)].map((m) => m[1]);
  const insertColumns = (sql: string) => sql.slice(sql.indexOf('(') + 1, sql.indexOf(')')).split(',').map((c) => c.trim());

  it("the run's end sets every column of SyncRun but those only its start writes", () => {
    const set = setColumns(RUN_END_SQL);
    expect(set.length).toBeGreaterThan(10);
    expect([...set, ...RUN_START_ONLY_COLUMNS].sort()).toEqual(entityColumns());
  });

  it("the run's start writes every column but those only a later write sets", () => {
    expect([...insertColumns(RUN_START_SQL), 'finished_at', 'progressed_at', 'window_to'].sort()).toEqual(entityColumns());
  });

  it('the entity is what the migrations made', async () => {
    const table: { column_name: string }[] = await db.query(`select column_name from information_schema.columns where table_schema = 'ingestion' and table_name = 'sync_runs'`);
    expect(table.map((c) => c.column_name).sort()).toEqual(entityColumns());
  });
});
