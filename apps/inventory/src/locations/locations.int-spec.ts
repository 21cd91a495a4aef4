import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LocationView } from '@connector/contracts';
import { runMigrations } from '@connector/persistence';
import { TestEnvironment } from '@connector/testing';
import { inventoryDataSource } from '../data-source';
import { ADJUSTMENT_LOCATION_ID, CUSTOMERS_LOCATION_ID, Location, STOCK_LOCATION_ID } from './location.entity';
import { LocationsService } from './locations.service';

describe('locations on real PostgreSQL', () => {
  const env = new TestEnvironment();
  let app: INestApplicationContext;
  let locations: LocationsService;

  beforeAll(async () => {
    await env.setUp();
    const options = inventoryDataSource(env.databaseUrl);
    await runMigrations(options);
    @Module({ imports: [TypeOrmModule.forRoot(options), TypeOrmModule.forFeature([Location])], providers: [LocationsService] })
    class LocationsTestModule {}
    app = await NestFactory.createApplicationContext(LocationsTestModule, { logger: false });
    locations = app.get(LocationsService);
  });

  afterAll(async () => {
    await app?.close();
    await env.tearDown();
  });

  it('lists locations a page at a time, like every other list: each once, oldest first, the last page without a cursor', async () => {
    const dataSource = app.get<DataSource>(getDataSourceToken());
    const accounts = Array.from({ length: 5 }, () => randomUUID());
    for (const accountId of accounts) await locations.fbaLocation(dataSource.manager, accountId);

    const seen: LocationView[] = [];
    const pageSizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await locations.list({ limit: 3, cursor });
      pageSizes.push(page.items.length);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);

    expect(pageSizes).toEqual([3, 3, 2]);
    expect(seen.map((l) => l.id).slice(0, 3).sort()).toEqual([STOCK_LOCATION_ID, CUSTOMERS_LOCATION_ID, ADJUSTMENT_LOCATION_ID].sort());
    expect(seen.slice(3).map((l) => [l.kind, l.accountId])).toEqual(accounts.map((accountId) => ['fba', accountId]));
    expect((await locations.list({})).items).toHaveLength(8);
    await expect(locations.list({ cursor: 'tampered!' })).rejects.toMatchObject({ body: { statusCode: 400 } });
  });
});
