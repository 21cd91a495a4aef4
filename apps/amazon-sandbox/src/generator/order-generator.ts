import { findMarketplace, Marketplace } from '../store/marketplaces';
import { CustomerAddress, FULFILLMENT_STATUSES, FulfilledBy, FulfillmentStatus, Order, OrderItem, OrderPackage } from '../store/order.types';
import { formatCents, parseCents } from './money';
import { itemProceeds, orderProceeds } from './proceeds';
import { Rng } from './prng';
import { CANCEL_REASONS, CATALOG, COMPANY_WORDS, COUNTRY_DATA, GIFT_MESSAGES, PRICE_FACTOR, PROMOTION_IDS } from './reference-data';

export interface GenerateOrdersInput {
  sellerId: string;
  count: number;
  seed: string;
  marketplaceIds: string[];
  fulfilledBy: FulfilledBy | 'MIXED';
  /** When given, each order gets one of these statuses (uniformly); else a realistic mix. */
  statuses?: FulfillmentStatus[];
  createdFromMs: number;
  createdToMs: number;
  /** Orders are last updated no later than now − 5 minutes (visible to searchOrders at once). */
  nowMs: number;
  /** Digits that replace the leading digits of every order id. */
  orderIdPrefix?: string;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const FBA_STATUS_MIX: [FulfillmentStatus, number][] = [['SHIPPED', 80], ['CANCELLED', 8], ['PENDING', 12]];
const FBM_STATUS_MIX: [FulfillmentStatus, number][] = [['UNSHIPPED', 35], ['PARTIALLY_SHIPPED', 10], ['SHIPPED', 33], ['CANCELLED', 10], ['PENDING', 12]];
const NA_ORDER_ID_HEADS = ['111', '112', '113', '114'];
const EU_ORDER_ID_HEADS = ['028', '171', '302', '303', '304', '305', '403', '404', '405', '406', '407', '408'];

interface BuyerProfile {
  marketplaceId: string;
  buyerName: string;
  buyerEmail: string;
  companyName?: string;
  address: CustomerAddress;
}

function fillPattern(rng: Rng, pattern: string): string {
  return pattern.replace(/[#@]/g, (c) => (c === '#' ? String(rng.int(0, 9)) : 'ABCDEFGHJKLMNPRSTUVWXYZ'[rng.int(0, 22)]));
}

function newAddress(rng: Rng, mp: Marketplace, name: string, companyName: string | undefined): CustomerAddress {
  const cd = COUNTRY_DATA[mp.countryCode];
  const [city, state, postal] = rng.pick(cd.cities);
  const street = rng.pick(cd.streets);
  const number = String(rng.int(1, 180));
  const address: CustomerAddress = {
    name,
    addressLine1: cd.numberAfterStreet ? `${street} ${number}` : `${number} ${street}`,
    city,
    stateOrRegion: state,
    postalCode: fillPattern(rng, postal),
    countryCode: mp.countryCode,
    phone: `${cd.phonePrefix}${rng.digits(3)} ${rng.digits(7)}`,
    addressType: companyName ? 'COMMERCIAL' : 'RESIDENTIAL',
  };
  if (companyName) address.companyName = companyName;
  if (rng.chance(0.2)) address.addressLine2 = rng.pick(['Apt 4', '2nd floor', 'c/o Reception', 'Building B', 'Unit 12']);
  return address;
}

function newBuyer(rng: Rng, mp: Marketplace, business: boolean): BuyerProfile {
  const cd = COUNTRY_DATA[mp.countryCode];
  const buyerName = `${rng.pick(cd.firstNames)} ${rng.pick(cd.lastNames)}`;
  const companyName = business ? `${rng.pick(COMPANY_WORDS)} ${rng.pick(cd.lastNames)} ${rng.pick(cd.companySuffixes)}` : undefined;
  return {
    marketplaceId: mp.marketplaceId,
    buyerName,
    // Amazon hides the buyer's address behind a per-seller relay address.
    buyerEmail: `${rng.alnum(14)}@marketplace.${mp.domain}`,
    companyName,
    address: newAddress(rng, mp, buyerName, companyName),
  };
}

function unitPriceCents(rng: Rng, baseCents: number, currency: string): number {
  const raw = Math.round(baseCents * PRICE_FACTOR[currency] * (0.9 + rng.next() * 0.2));
  return Math.max(99, Math.floor(raw / 100) * 100 + 99);
}

function scaled(cents: number, currency: string): number {
  return Math.floor((cents * PRICE_FACTOR[currency]) / 100) * 100 + 99;
}

function orderIdFor(rng: Rng, mp: Marketplace, prefix: string | undefined): string {
  const head = rng.pick(mp.region === 'NA' ? NA_ORDER_ID_HEADS : EU_ORDER_ID_HEADS);
  const digits = (head + rng.digits(14)).split('');
  if (prefix) for (let i = 0; i < prefix.length && i < digits.length; i++) digits[i] = prefix[i];
  const d = digits.join('');
  return `${d.slice(0, 3)}-${d.slice(3, 10)}-${d.slice(10, 17)}`;
}

/**
 * Generates `count` orders in Amazon's v2026-01-01 shape. Deterministic: the same input
 * (seed, seller, params, and the same now when times are relative) gives the same orders.
 */
export function generateOrders(input: GenerateOrdersInput): Order[] {
  const orders: Order[] = [];
  generateBatch(input, (order) => orders.push(order));
  return orders;
}

/** The order fields searches filter and sort on (timestamps parsed), and its listing on the control API shows. */
export interface OrderSummary {
  readonly orderId: string;
  readonly createdMs: number;
  readonly lastUpdatedMs: number;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly marketplaceId: string;
  readonly fulfillmentStatus: FulfillmentStatus;
  readonly fulfilledBy: FulfilledBy;
}

/** A generated order's summary; its timestamps as text only when asked for (the order's are made the same way). */
class GeneratedSummary implements OrderSummary {
  constructor(
    readonly orderId: string,
    readonly createdMs: number,
    readonly lastUpdatedMs: number,
    readonly marketplaceId: string,
    readonly fulfillmentStatus: FulfillmentStatus,
    readonly fulfilledBy: FulfilledBy,
  ) {}

  get createdTime(): string {
    return new Date(this.createdMs).toISOString();
  }

  get lastUpdatedTime(): string {
    return new Date(this.lastUpdatedMs).toISOString();
  }
}

/**
 * A batch of generated orders in a few numbers per order instead of the orders themselves
 * (about 5 KB of objects each; 100,000 of them took the sandbox past 700 MB): where the PRNG
 * stood when the order began and after its buyer was chosen, and which buyer it was. `order(i)`
 * generates order i again from there, the same order to the byte (order-generator.spec.ts
 * checks this against the orders as generated in one go).
 */
export class GeneratedBatch {
  readonly size: number;

  constructor(
    private readonly context: BatchContext,
    readonly orderIds: string[],
    private readonly startAt: Int32Array,
    private readonly afterBuyerAt: Int32Array,
    private readonly buyerOf: Int32Array,
    private readonly buyers: BuyerSeeds,
    private readonly createdMs: Float64Array,
    private readonly lastUpdatedMs: Float64Array,
    private readonly marketplaceOf: Uint8Array,
    private readonly statusOf: Uint8Array,
    private readonly amazonFulfilled: Uint8Array,
  ) {
    this.size = orderIds.length;
  }

  order(i: number): Order {
    const rng = Rng.resume(this.startAt[i]);
    return buildOrder(rng, this.context, {
      // Ids drawn before it belonged to earlier orders of the batch; the kept one comes next.
      orderId: (draw) => {
        let id = draw();
        while (id !== this.orderIds[i]) id = draw();
        return id;
      },
      buyer: () => {
        const buyer = this.buyer(this.buyerOf[i]);
        rng.moveTo(this.afterBuyerAt[i]);
        return buyer;
      },
    });
  }

  summary(i: number): OrderSummary {
    return new GeneratedSummary(
      this.orderIds[i],
      this.createdMs[i],
      this.lastUpdatedMs[i],
      this.context.marketplaces[this.marketplaceOf[i]].marketplaceId,
      FULFILLMENT_STATUSES[this.statusOf[i]],
      this.amazonFulfilled[i] ? 'AMAZON' : 'MERCHANT',
    );
  }

  private buyer(b: number): BuyerProfile {
    const mp = this.context.marketplaces[this.buyers.marketplace[b]];
    const root = this.buyers.root[b];
    if (root < 0) return newBuyer(Rng.resume(this.buyers.at[b]), mp, this.buyers.business[b] === 1);
    // A buyer who moved: the first profile's name and e-mail, an address of their own.
    const first = this.buyer(root);
    return { ...first, address: newAddress(Rng.resume(this.buyers.at[b]), mp, first.buyerName, first.companyName) };
  }
}

interface BatchContext {
  input: GenerateOrdersInput;
  marketplaces: Marketplace[];
  latestUpdate: number;
}

/** Per buyer profile: the PRNG position its data was drawn from, its marketplace, and the profile it moved from (-1: none). */
interface BuyerSeeds {
  at: Int32Array;
  marketplace: Uint8Array;
  business: Uint8Array;
  root: Int32Array;
}

/** How buildOrder gets the two things that depend on the orders generated before it. */
interface OrderChoices {
  orderId: (draw: () => string) => string;
  buyer: (mp: Marketplace) => BuyerProfile;
}

/**
 * Generates the orders of `input` one after the other, each handed to `onOrder` (and dropped
 * unless it keeps them), and returns the batch that can generate each of them again.
 */
export function generateBatch(input: GenerateOrdersInput, onOrder?: (order: Order) => void): GeneratedBatch {
  const rng = new Rng(`${input.seed}|${input.sellerId}`);
  const marketplaces = input.marketplaceIds.map((id) => {
    const mp = findMarketplace(id);
    if (!mp) throw new Error(`unknown marketplace ${id}`);
    return mp;
  });
  const context: BatchContext = { input, marketplaces, latestUpdate: input.nowMs - 5 * MINUTE };
  const n = input.count;
  const orderIds: string[] = [];
  const startAt = new Int32Array(n);
  const afterBuyerAt = new Int32Array(n);
  const buyerOf = new Int32Array(n);
  const createdMs = new Float64Array(n);
  const lastUpdatedMs = new Float64Array(n);
  const marketplaceOf = new Uint8Array(n);
  const statusOf = new Uint8Array(n);
  const amazonFulfilled = new Uint8Array(n);
  const buyerSeeds = { at: [] as number[], marketplace: [] as number[], business: [] as number[], root: [] as number[] };
  // Only while generating: the profiles themselves (repeat buyers copy them) and the ids taken.
  const profiles: BuyerProfile[] = [];
  const buyersByMarketplace = new Map<string, number[]>();
  const usedIds = new Set<string>();
  const addProfile = (profile: BuyerProfile, at: number, mp: Marketplace, business: boolean, root: number): number => {
    profiles.push(profile);
    buyerSeeds.at.push(at);
    buyerSeeds.marketplace.push(marketplaces.indexOf(mp));
    buyerSeeds.business.push(business ? 1 : 0);
    buyerSeeds.root.push(root);
    return profiles.length - 1;
  };

  for (let i = 0; i < n; i++) {
    startAt[i] = rng.position;
    let chosen = -1;
    const order = buildOrder(rng, context, {
      orderId: (draw) => {
        let id = draw();
        while (usedIds.has(id)) id = draw();
        usedIds.add(id);
        return id;
      },
      // Repeat buyers (30%): same buyer and address as an earlier order of this run in the same
      // marketplace; a quarter of them moved (same buyer, new address).
      buyer: (mp) => {
        let earlier = buyersByMarketplace.get(mp.marketplaceId);
        if (!earlier) buyersByMarketplace.set(mp.marketplaceId, (earlier = []));
        if (earlier.length && rng.chance(0.3)) {
          chosen = rng.pick(earlier);
          if (rng.chance(0.25)) {
            const picked = profiles[chosen];
            const at = rng.position;
            const moved = { ...picked, address: newAddress(rng, mp, picked.buyerName, picked.companyName) };
            const root = buyerSeeds.root[chosen];
            chosen = addProfile(moved, at, mp, false, root < 0 ? chosen : root);
            earlier.push(chosen);
          }
        } else {
          const business = rng.chance(0.1);
          const at = rng.position;
          chosen = addProfile(newBuyer(rng, mp, business), at, mp, business, -1);
          earlier.push(chosen);
        }
        afterBuyerAt[i] = rng.position;
        return profiles[chosen];
      },
    });
    buyerOf[i] = chosen;
    orderIds.push(order.orderId);
    createdMs[i] = Date.parse(order.createdTime);
    lastUpdatedMs[i] = Date.parse(order.lastUpdatedTime);
    marketplaceOf[i] = marketplaces.findIndex((mp) => mp.marketplaceId === order.salesChannel.marketplaceId);
    statusOf[i] = FULFILLMENT_STATUSES.indexOf(order.fulfillment!.fulfillmentStatus);
    amazonFulfilled[i] = order.fulfillment!.fulfilledBy === 'AMAZON' ? 1 : 0;
    onOrder?.(order);
  }
  const buyers: BuyerSeeds = {
    at: Int32Array.from(buyerSeeds.at),
    marketplace: Uint8Array.from(buyerSeeds.marketplace),
    business: Uint8Array.from(buyerSeeds.business),
    root: Int32Array.from(buyerSeeds.root),
  };
  return new GeneratedBatch(context, orderIds, startAt, afterBuyerAt, buyerOf, buyers, createdMs, lastUpdatedMs, marketplaceOf, statusOf, amazonFulfilled);
}

/** One order, drawing everything from `rng` except what `choices` supplies. */
function buildOrder(rng: Rng, { input, marketplaces, latestUpdate }: BatchContext, choices: OrderChoices): Order {
  const mp = rng.pick(marketplaces);
  const fulfilledBy: FulfilledBy = input.fulfilledBy === 'MIXED' ? (rng.chance(0.45) ? 'AMAZON' : 'MERCHANT') : input.fulfilledBy;
  const fbm = fulfilledBy === 'MERCHANT';
  const status: FulfillmentStatus = input.statuses?.length ? rng.pick(input.statuses) : rng.weighted(fbm ? FBM_STATUS_MIX : FBA_STATUS_MIX);

  const orderId = choices.orderId(() => orderIdFor(rng, mp, input.orderIdPrefix));

  const createdMs = Math.floor(input.createdFromMs + rng.next() * Math.max(0, input.createdToMs - input.createdFromMs));
  const updateDelay = status === 'PENDING' ? rng.int(0, 20) * MINUTE : rng.int(30, 3 * 24 * 60) * MINUTE;
  const lastUpdatedMs = Math.max(createdMs, Math.min(createdMs + updateDelay, latestUpdate));

  const buyer = choices.buyer(mp);

  // Items: 1..5 distinct products, quantities 1..4.
  const itemCount = rng.weighted([[1, 50], [2, 25], [3, 12], [4, 8], [5, 5]] as const);
  const products = [...CATALOG];
  const items: OrderItem[] = [];
  for (let i = 0; i < itemCount; i++) {
    const product = products.splice(rng.int(0, products.length - 1), 1)[0];
    const quantity = rng.weighted([[1, 62], [2, 22], [3, 10], [4, 6]] as const);
    const unit = unitPriceCents(rng, product.basePriceCents, mp.currencyCode);
    const shipping = fbm ? (rng.chance(0.35) ? 0 : scaled(rng.pick([299, 399, 499]), mp.currencyCode)) : rng.chance(0.7) ? 0 : scaled(rng.pick([299, 399]), mp.currencyCode);
    const giftWrapped = fbm && rng.chance(0.1);
    const giftWrap = giftWrapped ? scaled(rng.pick([299, 399]), mp.currencyCode) : 0;
    const promotionIds: string[] = [];
    let itemDiscount = 0;
    let shippingDiscount = 0;
    if (rng.chance(0.15)) {
      itemDiscount = Math.max(1, Math.round((unit * quantity * rng.int(5, 20)) / 100));
      promotionIds.push(`${rng.pick(PROMOTION_IDS)}-${rng.digits(4)}`);
    }
    if (shipping > 0 && rng.chance(0.12)) {
      shippingDiscount = shipping;
      promotionIds.push(`FREE-SHIPPING-${rng.digits(4)}`);
    }
    const sku = `${product.sku}-${mp.countryCode}`;
    const item: OrderItem = {
      orderItemId: rng.digits(14),
      quantityOrdered: quantity,
      product: {
        asin: `B0${new Rng(product.sku).alnum(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`,
        title: product.title,
        sellerSku: sku,
        condition: { conditionType: product.conditionType, conditionSubtype: product.conditionSubtype },
        price: { unitPrice: { amount: formatCents(unit), currencyCode: mp.currencyCode } },
      },
      proceeds: itemProceeds({ unitPriceCents: unit, quantity, shippingCents: shipping, giftWrapCents: giftWrap, itemDiscountCents: itemDiscount, shippingDiscountCents: shippingDiscount }, mp),
      fulfillment: { quantityFulfilled: 0, quantityUnfulfilled: quantity },
    };
    if (promotionIds.length) item.promotion = { breakdowns: promotionIds.map((promotionId) => ({ promotionId })) };
    if (giftWrapped) item.fulfillment!.packing = { giftOption: { giftMessage: rng.pick(GIFT_MESSAGES), giftWrapLevel: rng.pick(['STANDARD', 'PREMIUM']) } };
    items.push(item);
  }
  // A partial shipment needs at least two units.
  if (status === 'PARTIALLY_SHIPPED' && items.reduce((s, i) => s + i.quantityOrdered, 0) < 2) {
    const only = items[0];
    const unit = parseCents(only.product.price!.unitPrice!.amount);
    only.quantityOrdered = 2;
    only.fulfillment!.quantityUnfulfilled = 2;
    const charges = { unitPriceCents: unit, quantity: 2, shippingCents: 0, giftWrapCents: 0, itemDiscountCents: 0, shippingDiscountCents: 0 };
    only.proceeds = itemProceeds(charges, mp);
    delete only.promotion;
    if (only.fulfillment!.packing) delete only.fulfillment!.packing;
  }

  const serviceLevel = fbm ? rng.weighted([['STANDARD', 70], ['EXPEDITED', 20], ['NEXT_DAY', 5], ['SECOND_DAY', 5]] as const) : rng.weighted([['STANDARD', 75], ['EXPEDITED', 20], ['PRIORITY', 5]] as const);
  const programs: string[] = [];
  if (buyer.companyName) programs.push('AMAZON_BUSINESS');
  if (!fbm && rng.chance(0.6)) programs.push('PRIME');
  // What the warehouse needs, drawn apart (seeded by the order id) so that every value drawn
  // before it was added stays as it was: Seller Fulfilled Prime (a shorter promise) and now and
  // then a replacement of an earlier order.
  const traits = new Rng(`${orderId}:warehouse`);
  const sellerFulfilledPrime = fbm && traits.chance(0.2);
  if (sellerFulfilledPrime) programs.push('PRIME');
  const replaces = traits.chance(0.02) ? orderIdFor(traits, mp, input.orderIdPrefix) : null;

  const order: Order = {
    orderId,
    createdTime: new Date(createdMs).toISOString(),
    lastUpdatedTime: new Date(lastUpdatedMs).toISOString(),
    programs,
    ...(replaces ? { associatedOrders: [{ orderId: replaces, associationType: 'REPLACEMENT_ORIGINAL_ID' }] } : {}),
    salesChannel: { channelName: 'AMAZON', marketplaceId: mp.marketplaceId, marketplaceName: mp.name },
    buyer: { buyerName: buyer.buyerName, buyerEmail: buyer.buyerEmail, ...(buyer.companyName ? { buyerCompanyName: buyer.companyName } : {}) },
    recipient: { deliveryAddress: { ...buyer.address } },
    proceeds: orderProceeds(items, mp.currencyCode),
    fulfillment: {
      fulfillmentStatus: status,
      fulfilledBy,
      fulfillmentServiceLevel: serviceLevel,
      ...(fbm
        ? {
            shipByWindow: { earliestDateTime: new Date(createdMs).toISOString(), latestDateTime: new Date(createdMs + (sellerFulfilledPrime ? 1 : 2) * DAY).toISOString() },
            deliverByWindow: sellerFulfilledPrime
              ? { earliestDateTime: new Date(createdMs + 1 * DAY).toISOString(), latestDateTime: new Date(createdMs + 2 * DAY).toISOString() }
              : { earliestDateTime: new Date(createdMs + 3 * DAY).toISOString(), latestDateTime: new Date(createdMs + 7 * DAY).toISOString() },
          }
        : {}),
    },
    orderItems: items,
  };
  applyGeneratedStatus(rng, order, mp, lastUpdatedMs);
  return order;
}

/** Sets item quantities, packages and cancellations to match the order's status. */
function applyGeneratedStatus(rng: Rng, order: Order, mp: Marketplace, lastUpdatedMs: number): void {
  const status = order.fulfillment!.fulfillmentStatus;
  const fbm = order.fulfillment!.fulfilledBy === 'MERCHANT';
  if (status === 'SHIPPED' || status === 'PARTIALLY_SHIPPED') {
    const totalUnits = order.orderItems.reduce((s, i) => s + i.quantityOrdered, 0);
    let toShip = status === 'SHIPPED' ? totalUnits : rng.int(1, totalUnits - 1);
    const packageItems: { orderItemId: string; quantity: number }[] = [];
    for (const item of order.orderItems) {
      const q = Math.min(item.quantityOrdered, toShip);
      toShip -= q;
      item.fulfillment!.quantityFulfilled = q;
      item.fulfillment!.quantityUnfulfilled = item.quantityOrdered - q;
      if (q > 0) packageItems.push({ orderItemId: item.orderItemId, quantity: q });
    }
    if (fbm) {
      const carrier = rng.pick(COUNTRY_DATA[mp.countryCode].carriers);
      const shipTime = new Date(lastUpdatedMs).toISOString();
      const pkg: OrderPackage = {
        packageReferenceId: `PKG-${rng.digits(8)}`,
        createdTime: shipTime,
        packageStatus: { status: 'SHIPPED' },
        carrier: carrier.name,
        shipTime,
        shippingService: carrier.service,
        trackingNumber: rng.alnum(12, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
        packageItems,
      };
      order.packages = [pkg];
    }
  } else if (status === 'CANCELLED') {
    const cancelledBy = rng.weighted([['BUYER', 50], ['MERCHANT', 30], ['AMAZON', 20]] as const);
    const cancelReason = cancelledBy === 'BUYER' ? 'BuyerCanceled' : rng.pick(CANCEL_REASONS);
    for (const item of order.orderItems) {
      item.cancellation = {
        ...(cancelledBy === 'BUYER' ? { cancellationRequest: { requester: 'BUYER', cancelReason } } : {}),
        cancellationExecution: { cancelledBy, cancelReason },
      };
    }
  }
}
