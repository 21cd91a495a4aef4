import { getMetadataStorage } from 'class-validator';
import { HEALTH_CHECKS, messageContracts, SERVICE_NAMES } from './index';

describe('message contracts catalog', () => {
  const all = messageContracts();

  it('gives every message its own subject', () => {
    const subjects = all.map((c) => c.subject);
    expect(subjects.filter((subject, i) => subjects.indexOf(subject) !== i)).toEqual([]);
  });

  it('names the version in the subject it travels on (`.v<version>`)', () => {
    expect(all.filter((c) => !Number.isInteger(c.version) || c.version < 1 || !c.subject.endsWith(`.v${c.version}`)).map((c) => c.subject)).toEqual([]);
  });

  it('gives every message a payload class, with validation rules unless it carries nothing', () => {
    for (const contract of all) {
      expect({ subject: contract.subject, isClass: typeof contract.payload === 'function' && typeof contract.payload.prototype === 'object' }).toEqual({ subject: contract.subject, isClass: true });
      expect(contract.payload.name).toMatch(/^[A-Z]\w+$/);
    }
    const empty = all.filter((c) => getMetadataStorage().getTargetValidationMetadatas(c.payload, '', true, false).length === 0);
    expect([...new Set(empty.map((c) => c.payload.name))]).toEqual(['HealthCheckRequest', 'MetricsRequest']);
  });

  it('cannot be changed at run time', () => {
    for (const contract of all) expect(Object.isFrozen(contract)).toBe(true);
  });

  it('keeps every subject on the wire as it was before descriptors', () => {
    const healthChecks = SERVICE_NAMES.map((service) => `${service}.health.v1`);
    // New in this release: each service's metrics, asked by the gateway.
    const metrics = SERVICE_NAMES.map((service) => `${service}.metrics.v1`);
    // New in this release (nothing on the wire before): each service's parked events.
    const parkedEvents = SERVICE_NAMES.flatMap((service) => ['list', 'get', 'replay', 'discard'].map((action) => `${service}.parked-events.${action}.v1`));
    expect(all.map((c) => c.subject).sort()).toEqual(
      [
        'ingestion.accounts.create.v2',
        // New with issue 18: many accounts at once.
        'ingestion.accounts.import.v1',
        'ingestion.accounts.update.v2',
        'ingestion.accounts.get.v1',
        'ingestion.accounts.delete.v1',
        'ingestion.accounts.list.v1',
        'ingestion.accounts.sync.v1',
        'ingestion.sync-runs.list.v1',
        // New in this release: one run, and runs across accounts (sync progress).
        'ingestion.sync-runs.get.v1',
        'ingestion.sync-runs.search.v1',
        'ingestion.accounts.access.v1',
        // New with issue 18: which accounts have stock sync on, many at a time.
        'ingestion.accounts.stock-sync-on.v1',
        'ingestion.marketplaces.list.v2',
        'ingestion.marketplaces.create.v1',
        'ingestion.orders.list.v1',
        'ingestion.orders.get.v1',
        'ingestion.orders.cancel.v1',
        'ingestion.quarantine.list.v1',
        // New with issue 14: recover one order, resync a period.
        'ingestion.orders.recover.v1',
        'ingestion.accounts.resync.v1',
        // New with issue 15: Link with Amazon, and the marketplaces the Sellers API names.
        'ingestion.authorizations.create.v1',
        'ingestion.authorizations.complete.v1',
        'ingestion.accounts.marketplaces.list.v1',
        'ingestion.accounts.marketplaces.refresh.v1',
        'inventory.products.resolve.v1',
        'inventory.products.list.v1',
        'inventory.products.create.v1',
        'inventory.offers.list.v1',
        'inventory.offers.put.v1',
        // New with catalogue matching (issue 14): one offer, mapped, unmapped, reviewed.
        'inventory.offers.get.v1',
        'inventory.offers.map.v1',
        'inventory.offers.unmap.v1',
        'inventory.offers.reviewed.v1',
        'inventory.deliveries.list.v1',
        'inventory.deliveries.get.v1',
        'inventory.deliveries.validate.v1',
        // New with issue 14: a delivery held by the buyer's cancellation request, released.
        'inventory.deliveries.release.v1',
        'inventory.stock-moves.list.v1',
        'inventory.stock.list.v1',
        'inventory.stock.adjust.v1',
        'inventory.locations.list.v1',
        // New with the locations API (issue 14): warehouses made, shown, changed and archived.
        'inventory.locations.create.v1',
        'inventory.locations.get.v1',
        'inventory.locations.update.v1',
        'inventory.locations.archive.v1',
        // New with issue 14: the seller's carrier names mapped to Amazon's codes.
        'inventory.carrier-mappings.list.v1',
        'inventory.carrier-mappings.get.v1',
        'inventory.carrier-mappings.put.v1',
        'inventory.carrier-mappings.delete.v1',
        // New with ship-from locations (issue 14): which stock location an account and marketplace ship from.
        'inventory.ship-from.list.v1',
        'inventory.ship-from.put.v1',
        'inventory.ship-from.delete.v1',
        // New with partial cancellation (issue 14): what of an order can no longer be cancelled.
        'inventory.deliveries.shipped-quantities.v1',
        // New with the fix of partial cancellation: a validation claims its units, so none is both shipped and cancelled.
        'ingestion.orders.claim-units-to-ship.v1',
        'partners.resolve.v1',
        'partners.list.v1',
        'partners.get.v1',
        'partners.contacts.find.v1',
        'notifications.list.v1',
        'notifications.get.v1',
        'notifications.retry.v1',
        'notifications.retry-failed.v1',
        'order.synced.v1',
        'order.canceled.v1',
        'delivery.created.v1',
        'delivery.validated.v1',
        'delivery.canceled.v1',
        'offer.changed.v1',
        'notification.sent.v1',
        'notification.failed.v1',
        // New with alert webhooks (issue 13): what the services tell the gateway to alert.
        'alert.raised.v1',
        // New with issue 14: a delivery Amazon reports shipped that the connector never confirmed.
        'delivery.shipped-outside.v1',
        // New with partial cancellation (issue 14): some units of an order cancelled by the seller.
        'order.items-canceled.v1',
        // New with Link with Amazon hardening: a consent's link, for the gateway's audit log.
        'authorization.completed.v1',
        // New with the callback's lifecycle edges: a refused callback, for the audit log too.
        'authorization.refused.v1',
        // New with Stock to Amazon (issue 15): an offer's available quantity, and each SKU's state at Amazon.
        'stock.listing-quantity-changed.v1',
        'notifications.stock-sync.list.v1',
        ...healthChecks,
        ...metrics,
        ...parkedEvents,
      ].sort(),
    );
    expect(SERVICE_NAMES.map((service) => HEALTH_CHECKS[service].subject)).toEqual(healthChecks);
  });
});
