import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as contracts from '@connector/contracts';
import { natsServerConfig, permissionsOf, SHIPPED_SERVER_SETTINGS } from './nats-server-config';

describe('NATS permissions derived from the contracts', () => {
  it('ships exactly what the generator writes (npm run nats-config), never a hand-edited copy', () => {
    const shipped = readFileSync(resolve(__dirname, '../../../docker/nats/nats-server.conf'), 'utf8');
    expect(shipped).toBe(natsServerConfig({ namespace: 'connector', server: SHIPPED_SERVER_SETTINGS }));
  });

  it('gives every subject of the contracts an owner', () => {
    const subjects = Object.entries(contracts)
      .filter(([name, value]) => /^[A-Z_]+$/.test(name) && typeof value === 'string' && /\.v\d+$/.test(value))
      .map(([, value]) => value as string);
    expect(subjects.length).toBeGreaterThan(30);
    const owned = new Set([...contracts.OWNED_REQUEST_SUBJECTS, ...contracts.OWNED_EVENT_SUBJECTS]);
    expect(subjects.filter((subject) => !owned.has(subject))).toEqual([]);
  });

  it('lets only order-ingestion answer the credentials request, only amazon-notifications ask it, and only owners publish events', () => {
    const ns = 'shop';
    const who = (test: (p: ReturnType<typeof permissionsOf>) => boolean) => contracts.CONNECTOR_PROCESSES.filter((process) => test(permissionsOf(process, ns)));
    expect(who((p) => p.subscribe.includes(`shop.${contracts.GET_ACCOUNT_ACCESS}`))).toEqual(['order-ingestion']);
    expect(who((p) => p.publish.includes(`shop.${contracts.GET_ACCOUNT_ACCESS}`))).toEqual(['amazon-notifications']);
    expect(who((p) => p.subscribe.includes(`shop.${contracts.CREATE_ACCOUNT}`))).toEqual(['order-ingestion']);
    expect(who((p) => p.publish.includes(`shop.events.${contracts.ORDER_CANCELED}`))).toEqual(['order-ingestion']);
    expect(who((p) => p.publish.includes(`shop.events.${contracts.DELIVERY_VALIDATED}`))).toEqual(['inventory']);
    // No wildcard over the namespace, the events or the inboxes of others.
    for (const process of contracts.CONNECTOR_PROCESSES) {
      const { publish, subscribe } = permissionsOf(process, ns);
      expect([...publish, ...subscribe].filter((s) => s === '>' || s.startsWith('shop.>') || s.startsWith('shop.events.>') || s === '_INBOX.>')).toEqual([]);
      expect(subscribe.filter((s) => s.startsWith('_INBOX.'))).toEqual([`_INBOX.${process}.>`]);
    }
    // Consumers are a service's own: made on their own filter, and deletable under their older names (before packs).
    const inventory = permissionsOf('inventory', ns).publish;
    expect(inventory.filter((s) => s.startsWith('$JS.API.CONSUMER.CREATE.'))).toEqual(['$JS.API.CONSUMER.CREATE.SHOP_EVENTS.inventory--order_all--packs.shop.events.order.>']);
    expect(inventory).toEqual(expect.arrayContaining(['$JS.API.CONSUMER.DELETE.SHOP_EVENTS.inventory--order_all--packs', '$JS.API.CONSUMER.DELETE.SHOP_EVENTS.inventory--order_all', '$JS.API.CONSUMER.DELETE.SHOP_EVENTS.inventory']));
    expect(inventory.filter((s) => s.includes('STREAM.UPDATE') || s.includes('STREAM.DELETE') || s.includes('STREAM.PURGE'))).toEqual([]);
  });

  it('names the events each service handles as its @OnEvent handlers do, and the requests it asks as its code does', () => {
    const sources = (dir: string): string =>
      readdirSync(dir, { withFileTypes: true })
        .map((entry) => (entry.isDirectory() ? sources(resolve(dir, entry.name)) : /\.ts$/.test(entry.name) && !/spec\.ts$/.test(entry.name) ? readFileSync(resolve(dir, entry.name), 'utf8') : ''))
        .join('\n');
    const value = (name: string) => (contracts as Record<string, unknown>)[name] as string;
    for (const process of contracts.CONNECTOR_PROCESSES) {
      const code = sources(resolve(__dirname, `../../../apps/${process}/src`));
      const handled = [...code.matchAll(/@OnEvents?\(([A-Z_]+)/g)].map((m) => value(m[1]));
      expect([...new Set(handled)].sort()).toEqual([...contracts.natsAccess(process).consumes].sort());
      const asked = [...code.matchAll(/\.request(?:<[^>]*>)?\(([A-Z_]+)/g)].map((m) => value(m[1]));
      const allowed = new Set(contracts.natsAccess(process).calls);
      expect(asked.filter((subject) => !allowed.has(subject))).toEqual([]);
    }
  });
});
