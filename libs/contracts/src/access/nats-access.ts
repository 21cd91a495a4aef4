import {
  CREATE_ACCOUNT,
  IMPORT_ACCOUNTS,
  CREATE_MARKETPLACE,
  DELETE_ACCOUNT,
  GET_ACCOUNT,
  GET_ACCOUNT_ACCESS,
  STOCK_SYNC_ACCOUNTS,
  GET_SYNC_RUN,
  LIST_ACCOUNTS,
  LIST_MARKETPLACES,
  LIST_SYNC_RUNS,
  RESYNC_ACCOUNT,
  SEARCH_SYNC_RUNS,
  SYNC_ACCOUNT,
  UPDATE_ACCOUNT,
} from '../accounts/account.messages';
import { AUTHORIZATION_COMPLETED, AUTHORIZATION_REFUSED, COMPLETE_AUTHORIZATION, CREATE_AUTHORIZATION, LIST_ACCOUNT_MARKETPLACES, REFRESH_ACCOUNT_MARKETPLACES } from '../accounts/authorization.messages';
import { ALERT_RAISED } from '../alerts/alert.events';
import { AnyEventContract, AnyRequestContract } from '../common/message-contract';
import { HEALTH_CHECKS, SERVICE_NAMES, ServiceName } from '../health/health.messages';
import { METRICS_REQUESTS } from '../health/metrics.messages';
import { DELETE_CARRIER_MAPPING, GET_CARRIER_MAPPING, LIST_CARRIER_MAPPINGS, PUT_CARRIER_MAPPING } from '../inventory/carrier-mapping.messages';
import { ARCHIVE_LOCATION, CREATE_LOCATION, GET_LOCATION, LIST_LOCATIONS, UPDATE_LOCATION } from '../inventory/location.messages';
import { DELETE_SHIP_FROM, LIST_SHIP_FROM, PUT_SHIP_FROM } from '../inventory/ship-from.messages';
import { DELIVERY_CANCELED, DELIVERY_CREATED, DELIVERY_SHIPPED_OUTSIDE, DELIVERY_VALIDATED, OFFER_CHANGED } from '../inventory/delivery.events';
import { LISTING_QUANTITY_CHANGED } from '../inventory/listing.events';
import {
  ADJUST_STOCK,
  CREATE_PRODUCT,
  GET_DELIVERY,
  LIST_DELIVERIES,
  LIST_OFFERS,
  LIST_PRODUCTS,
  LIST_STOCK,
  LIST_STOCK_MOVES,
  PUT_OFFER,
  GET_OFFER,
  MAP_OFFER,
  UNMAP_OFFER,
  MARK_OFFER_REVIEWED,
  RELEASE_DELIVERY,
  RESOLVE_PRODUCTS,
  GET_SHIPPED_QUANTITIES,
  VALIDATE_DELIVERY,
} from '../inventory/inventory.messages';
import { GET_NOTIFICATION, LIST_NOTIFICATIONS, NOTIFICATION_FAILED, NOTIFICATION_SENT, RETRY_NOTIFICATION, RETRY_NOTIFICATIONS } from '../notifications/notification.messages';
import { LIST_STOCK_SYNC } from '../notifications/stock-sync.messages';
import { ORDER_CANCELED, ORDER_ITEMS_CANCELED, ORDER_SYNCED } from '../orders/order.events';
import { CANCEL_ORDER, CLAIM_UNITS_TO_SHIP, GET_ORDER, LIST_ORDERS, LIST_QUARANTINED_ORDERS, RECOVER_ORDER } from '../orders/order.messages';
import { FIND_CONTACTS, GET_PARTNER, LIST_PARTNERS, RESOLVE_PARTNERS } from '../partners/partner.messages';
import { PARKED_EVENTS } from '../parked-events/parked-event.messages';

/** Every process that connects to NATS. */
export type ConnectorProcess = ServiceName | 'gateway';
export const CONNECTOR_PROCESSES: ConnectorProcess[] = ['gateway', ...SERVICE_NAMES];

/**
 * Who may do what on NATS: the request subjects each service answers and who may ask them, and
 * the events each service publishes and consumes. NATS permissions (docker/nats) are generated
 * from this, so a service can only answer what it owns, ask what it needs, and publish its own
 * events: nothing else can read the credentials request, answer it, or forge an event.
 */
const REQUESTS: { server: ServiceName; requests: AnyRequestContract[]; callers: ConnectorProcess[] }[] = [
  {
    server: 'order-ingestion',
    requests: [CREATE_ACCOUNT, IMPORT_ACCOUNTS, UPDATE_ACCOUNT, GET_ACCOUNT, DELETE_ACCOUNT, LIST_ACCOUNTS, SYNC_ACCOUNT, LIST_SYNC_RUNS, GET_SYNC_RUN, SEARCH_SYNC_RUNS, LIST_MARKETPLACES, CREATE_MARKETPLACE, LIST_ORDERS, GET_ORDER, CANCEL_ORDER, LIST_QUARANTINED_ORDERS, RECOVER_ORDER, RESYNC_ACCOUNT, CREATE_AUTHORIZATION, COMPLETE_AUTHORIZATION, LIST_ACCOUNT_MARKETPLACES, REFRESH_ACCOUNT_MARKETPLACES],
    callers: ['gateway'],
  },
  { server: 'order-ingestion', requests: [GET_ACCOUNT_ACCESS, STOCK_SYNC_ACCOUNTS], callers: ['amazon-notifications'] },
  { server: 'partner-resolution', requests: [LIST_PARTNERS, GET_PARTNER], callers: ['gateway'] },
  { server: 'partner-resolution', requests: [RESOLVE_PARTNERS], callers: ['order-ingestion'] },
  // GET /api/v1/orders?buyer=: order-ingestion finds the buyer's contacts, then their orders.
  { server: 'partner-resolution', requests: [FIND_CONTACTS], callers: ['order-ingestion'] },
  {
    server: 'inventory',
    requests: [
      LIST_PRODUCTS,
      CREATE_PRODUCT,
      LIST_OFFERS,
      PUT_OFFER,
      GET_OFFER,
      MAP_OFFER,
      UNMAP_OFFER,
      MARK_OFFER_REVIEWED,
      LIST_DELIVERIES,
      GET_DELIVERY,
      VALIDATE_DELIVERY,
      RELEASE_DELIVERY,
      LIST_STOCK_MOVES,
      LIST_STOCK,
      ADJUST_STOCK,
      LIST_LOCATIONS,
      CREATE_LOCATION,
      GET_LOCATION,
      UPDATE_LOCATION,
      ARCHIVE_LOCATION,
      LIST_CARRIER_MAPPINGS,
      GET_CARRIER_MAPPING,
      PUT_CARRIER_MAPPING,
      DELETE_CARRIER_MAPPING,
      LIST_SHIP_FROM,
      PUT_SHIP_FROM,
      DELETE_SHIP_FROM,
    ],
    callers: ['gateway'],
  },
  { server: 'inventory', requests: [RESOLVE_PRODUCTS, GET_SHIPPED_QUANTITIES], callers: ['order-ingestion'] },
  // A delivery's validation claims its units, so none is both shipped and cancelled.
  { server: 'order-ingestion', requests: [CLAIM_UNITS_TO_SHIP], callers: ['inventory'] },
  { server: 'amazon-notifications', requests: [LIST_NOTIFICATIONS, GET_NOTIFICATION, RETRY_NOTIFICATION, RETRY_NOTIFICATIONS, LIST_STOCK_SYNC], callers: ['gateway'] },
  // The gateway's /health and /health/ready ask every service.
  ...SERVICE_NAMES.map((server) => ({ server, requests: [HEALTH_CHECKS[server]], callers: ['gateway' as const] })),
  // The gateway's GET /metrics/services/:service asks one replica of a service for its metrics.
  ...SERVICE_NAMES.map((server) => ({ server, requests: [METRICS_REQUESTS[server]], callers: ['gateway' as const] })),
  // Every service consumes events, so each has parked events of its own, which the gateway lists, shows, replays and discards.
  ...SERVICE_NAMES.map((server) => ({ server, requests: Object.values(PARKED_EVENTS[server]), callers: ['gateway' as const] })),
];

const EVENTS: { publisher: ServiceName; event: AnyEventContract; consumers: ConnectorProcess[] }[] = [
  { publisher: 'order-ingestion', event: ORDER_SYNCED, consumers: ['inventory'] },
  { publisher: 'order-ingestion', event: ORDER_CANCELED, consumers: ['inventory', 'partner-resolution', 'amazon-notifications'] },
  // Some units of an order cancelled by the seller: the delivery shrinks, Amazon is told.
  { publisher: 'order-ingestion', event: ORDER_ITEMS_CANCELED, consumers: ['inventory', 'amazon-notifications'] },
  { publisher: 'inventory', event: DELIVERY_CREATED, consumers: ['order-ingestion'] },
  { publisher: 'inventory', event: DELIVERY_VALIDATED, consumers: ['order-ingestion', 'amazon-notifications'] },
  { publisher: 'inventory', event: LISTING_QUANTITY_CHANGED, consumers: ['amazon-notifications'] },
  { publisher: 'inventory', event: DELIVERY_CANCELED, consumers: ['order-ingestion'] },
  // Never to amazon-notifications: nothing is confirmed for a delivery shipped outside the connector.
  { publisher: 'inventory', event: DELIVERY_SHIPPED_OUTSIDE, consumers: ['order-ingestion'] },
  { publisher: 'inventory', event: OFFER_CHANGED, consumers: ['order-ingestion'] },
  { publisher: 'amazon-notifications', event: NOTIFICATION_SENT, consumers: ['order-ingestion'] },
  { publisher: 'amazon-notifications', event: NOTIFICATION_FAILED, consumers: ['order-ingestion'] },
  // A consent linked an account: the gateway audits it (whether or not the callback's answer reached it).
  { publisher: 'order-ingestion', event: AUTHORIZATION_COMPLETED, consumers: ['gateway'] },
  // A callback refused: audited like a link.
  { publisher: 'order-ingestion', event: AUTHORIZATION_REFUSED, consumers: ['gateway'] },
  // Any service may raise an alert (a parked event, at least); the gateway sends them to the webhooks.
  ...SERVICE_NAMES.map((publisher) => ({ publisher, event: ALERT_RAISED, consumers: ['gateway' as const] })),
];


/**
 * Where a process's NATS answers arrive (its inboxes): only it may subscribe there, so no one
 * else reads the answers to its requests.
 */
export function natsInboxPrefix(process: string): string {
  return `_INBOX.${process}`;
}

export interface ProcessAccess {
  /** Request subjects it answers (subscribes to, in its queue group). */
  serves: string[];
  /** Request subjects it asks. */
  calls: string[];
  /** Event subjects it publishes to the stream. */
  publishes: string[];
  /** Event subjects it handles (through durable consumers of its own). */
  consumes: string[];
}

export function natsAccess(process: ConnectorProcess): ProcessAccess {
  return {
    serves: REQUESTS.filter((r) => r.server === process).flatMap((r) => subjectsOf(r.requests)),
    calls: REQUESTS.filter((r) => r.callers.includes(process)).flatMap((r) => subjectsOf(r.requests)),
    publishes: EVENTS.filter((e) => e.publisher === process).map((e) => e.event.subject),
    // An event several services publish (alert.raised) is consumed once.
    consumes: [...new Set(EVENTS.filter((e) => (e.consumers as string[]).includes(process)).map((e) => e.event.subject))],
  };
}

/**
 * Who may ask a request subject (undefined for a subject the contracts do not list: tests'). A
 * service answers only requests whose reply goes to one of these callers' inboxes.
 */
export function natsCallersOf(subject: string): ConnectorProcess[] | undefined {
  const owners = REQUESTS.filter((r) => subjectsOf(r.requests).includes(subject));
  return owners.length ? owners.flatMap((r) => r.callers) : undefined;
}

/** Every request subject with an owner: what the contracts declare and no service may leave out. */
export const OWNED_REQUEST_SUBJECTS = REQUESTS.flatMap((r) => subjectsOf(r.requests));
export const OWNED_EVENT_SUBJECTS = [...new Set(EVENTS.map((e) => e.event.subject))];

function subjectsOf(requests: AnyRequestContract[]): string[] {
  return requests.map((r) => r.subject);
}
