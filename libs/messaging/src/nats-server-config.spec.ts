import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as contracts from '@connector/contracts';
import { natsServerConfig, permissionsOf, SHIPPED_SERVER_SETTINGS } from './nats-server-config';

describe('NATS permissions derived from the contracts', () => {
  it('ships exactly what the generator writes (npm run nats-config), never a hand-edited copy', () => {
    const shipped = readFileSync(resolve(__dirname, '../../../docker/nats/nats-server.conf'), 'utf8');
    expect(shipped).toBe(natsServerConfig({ namespace: 'connector', server: SHIPPED_SERVER_SETTINGS }));
  });

  it('gives every message of the contracts an owner', () => {
    const all = contracts.messageContracts();
    expect(all.length).toBeGreaterThan(30);
    const requests = all.filter((c) => c.kind === 'request').map((c) => c.subject);
    const events = all.filter((c) => c.kind === 'event').map((c) => c.subject);
    expect(requests.filter((subject) => !contracts.OWNED_REQUEST_SUBJECTS.includes(subject))).toEqual([]);
    expect(events.filter((subject) => !contracts.OWNED_EVENT_SUBJECTS.includes(subject))).toEqual([]);
  });

  it('lets only order-ingestion answer the credentials request, only amazon-notifications ask it, and only owners publish events', () => {
    const ns = 'shop';
    const who = (test: (p: ReturnType<typeof permissionsOf>) => boolean) => contracts.CONNECTOR_PROCESSES.filter((process) => test(permissionsOf(process, ns)));
    expect(who((p) => p.subscribe.includes(`shop.${contracts.GET_ACCOUNT_ACCESS.subject}`))).toEqual(['order-ingestion']);
    expect(who((p) => p.publish.includes(`shop.${contracts.GET_ACCOUNT_ACCESS.subject}`))).toEqual(['amazon-notifications']);
    expect(who((p) => p.subscribe.includes(`shop.${contracts.CREATE_ACCOUNT.subject}`))).toEqual(['order-ingestion']);
    expect(who((p) => p.publish.includes(`shop.events.${contracts.ORDER_CANCELED.subject}`))).toEqual(['order-ingestion']);
    expect(who((p) => p.publish.includes(`shop.events.${contracts.DELIVERY_VALIDATED.subject}`))).toEqual(['inventory']);
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

  it('names what each service answers, asks, publishes and handles as its code does', () => {
    const sources = (dir: string): string =>
      readdirSync(dir, { withFileTypes: true })
        .map((entry) => (entry.isDirectory() ? sources(resolve(dir, entry.name)) : /\.ts$/.test(entry.name) && !/spec\.ts$/.test(entry.name) ? readFileSync(resolve(dir, entry.name), 'utf8') : ''))
        .join('\n');
    const contractNamed = (name: string): contracts.MessageContract => {
      const value = (contracts as Record<string, unknown>)[name];
      if (!contracts.isMessageContract(value)) throw new Error(`${name} is not a message contract of libs/contracts`);
      return value;
    };
    // The descriptor each decorator or call names: `@HandlesRequest(LIST_ORDERS)`, `.request(GET_ORDER, ...)`,
    // `@OnEvent(ORDER_SYNCED)`, `outbox.add(manager, ORDER_CANCELED, ...)`, `OutboxEvent.of(DELIVERY_CREATED, ...)`.
    const named = (code: string, pattern: RegExp) => [...new Set([...code.matchAll(pattern)].map((m) => contractNamed(m[1]).subject))].sort();
    const sorted = (subjects: string[]) => [...subjects].sort();
    const messages = contracts.messageContracts();
    for (const process of contracts.CONNECTOR_PROCESSES) {
      const code = sources(resolve(__dirname, `../../../apps/${process}/src`));
      const access = contracts.natsAccess(process);
      // Answered by libs/platform's HealthModule (health, metrics) and libs/messaging's MessagingModule (parked events).
      const health = process === 'gateway' ? [] : [contracts.HEALTH_CHECKS[process].subject, contracts.METRICS_REQUESTS[process].subject, ...Object.values(contracts.PARKED_EVENTS[process]).map((c) => c.subject)];
      // Requests are answered through @HandlesRequest only, so the next check sees every handler.
      expect(code).not.toMatch(/@MessagePattern\(/);
      expect(named(code, /@HandlesRequest\(([A-Z_]+)\)/g)).toEqual(sorted(access.serves.filter((subject) => !health.includes(subject))));
      expect(named(code, /@OnEvents?\(([A-Z_]+)\)/g)).toEqual(sorted(access.consumes));
      const asked = named(code, /\.request\(([A-Z_]+),/g);
      expect(asked.filter((subject) => !access.calls.includes(subject))).toEqual([]);
      const published = named(code, /(?:\.add\(\s*\w+,\s*|OutboxEvent\.of\()([A-Z_]+)\b/g);
      expect(published.filter((subject) => !access.publishes.includes(subject))).toEqual([]);
      // However a call is written, a contract the code names must be one the process may use.
      const mentioned = messages.filter((c) => Object.entries(contracts).some(([name, value]) => value === c && new RegExp(`\\b${name}\\b`).test(code)));
      const mayUse = new Set([...access.serves, ...access.calls, ...access.publishes, ...access.consumes]);
      expect(mentioned.map((c) => c.subject).filter((subject) => !mayUse.has(subject))).toEqual([]);
    }
  });
});
