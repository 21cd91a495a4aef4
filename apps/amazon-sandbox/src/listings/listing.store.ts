import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';

/** Amazon's issue of a listings item (Listings Items API 2021-08-01, `Issue`). */
export interface ListingIssue {
  code: string;
  message: string;
  severity: 'ERROR' | 'WARNING' | 'INFO';
  attributeNames?: string[];
  categories?: string[];
}

/** One entry of the `fulfillment_availability` attribute (product type schema, as Amazon validates it). */
export interface FulfillmentAvailability {
  fulfillment_channel_code: string;
  quantity?: number;
  lead_time_to_ship_max_days?: number;
}

export interface Listing {
  sellerId: string;
  marketplaceId: string;
  sku: string;
  productType: string;
  attributes: { fulfillment_availability?: FulfillmentAvailability[] } & Record<string, unknown>;
  /** Every accepted change, oldest first: how the tests see the order values arrived in. */
  history: { quantity: number | null; at: string; via: 'patchListingsItem' | 'JSON_LISTINGS_FEED'; submissionId: string }[];
  /** Every refused change (INVALID), oldest first: how the tests see that something was tried. */
  refused: { at: string; via: 'patchListingsItem' | 'JSON_LISTINGS_FEED'; submissionId: string; issues: ListingIssue[] }[];
  updatedAt: string;
}

/** What a patch of one listing came to: Amazon's submission answer (ACCEPTED or INVALID with issues). */
export interface ListingSubmission {
  sku: string;
  status: 'ACCEPTED' | 'INVALID';
  submissionId: string;
  issues: ListingIssue[];
}

export interface ListingPatch {
  op?: unknown;
  path?: unknown;
  value?: unknown;
}

const PATCH_OPS = ['add', 'replace', 'merge', 'delete'];

/**
 * Listings per seller, marketplace and SKU, and the checks Amazon makes of a patch: the same for
 * patchListingsItem and the PATCH messages of a JSON_LISTINGS_FEED, so both ways update alike.
 * Only `fulfillment_availability` is checked against its schema; other top-level attributes are
 * kept as given (the sandbox has no product type definitions).
 */
@Injectable()
export class ListingStore {
  private readonly listings = new Map<string, Listing>();
  /** SKUs made to fail (seller|sku → issue): Amazon refusing a listing, for the tests. */
  private readonly failures = new Map<string, ListingIssue>();

  reset(): void {
    this.listings.clear();
    this.failures.clear();
  }

  /**
   * A listing as the seller made it: merchant fulfilled (`DEFAULT`, with its quantity) or, with
   * an Amazon channel code (`AMAZON_EU`, `AMAZON_NA`, ...), fulfilled by Amazon, whose quantity
   * Amazon keeps from its fulfilment centres.
   */
  upsert(sellerId: string, marketplaceId: string, sku: string, quantity: number | null, productType = 'PRODUCT', now = new Date(), fulfillmentChannelCode = 'DEFAULT'): Listing {
    const key = listingKey(sellerId, marketplaceId, sku);
    const listing: Listing = this.listings.get(key) ?? { sellerId, marketplaceId, sku, productType, attributes: {}, history: [], refused: [], updatedAt: now.toISOString() };
    if (fulfillmentChannelCode !== 'DEFAULT') listing.attributes.fulfillment_availability = [{ fulfillment_channel_code: fulfillmentChannelCode }];
    else if (quantity !== null) listing.attributes.fulfillment_availability = [{ fulfillment_channel_code: 'DEFAULT', quantity }];
    listing.updatedAt = now.toISOString();
    this.listings.set(key, listing);
    return listing;
  }

  find(filter: { sellerId?: string; sku?: string; marketplaceId?: string }): Listing[] {
    return [...this.listings.values()].filter(
      (l) => (!filter.sellerId || l.sellerId === filter.sellerId) && (!filter.sku || l.sku === filter.sku) && (!filter.marketplaceId || l.marketplaceId === filter.marketplaceId),
    );
  }

  failSku(sellerId: string, sku: string, issue?: Partial<ListingIssue>): ListingIssue {
    const full: ListingIssue = {
      code: issue?.code ?? '90000900',
      message: issue?.message ?? `The listing for SKU ${sku} cannot be updated at this time.`,
      severity: 'ERROR',
      attributeNames: issue?.attributeNames ?? ['fulfillment_availability'],
      categories: issue?.categories ?? ['INVALID_ATTRIBUTE'],
    };
    this.failures.set(`${sellerId}|${sku}`, full);
    return full;
  }

  clearFailures(): void {
    this.failures.clear();
  }

  /**
   * The shape of a patch list as the API's model has it (op, path): a broken one is the caller's
   * fault and answered 400 by patchListingsItem; undefined when well formed.
   */
  malformed(productType: unknown, patches: unknown): string | undefined {
    if (typeof productType !== 'string' || !productType) return 'productType is required.';
    if (!Array.isArray(patches) || patches.length === 0) return 'patches must hold at least one patch operation.';
    for (const [index, patch] of (patches as ListingPatch[]).entries()) {
      if (typeof patch !== 'object' || patch === null) return `patches[${index}] must be an object.`;
      if (typeof patch.op !== 'string' || !PATCH_OPS.includes(patch.op)) return `patches[${index}].op must be one of ${PATCH_OPS.join(', ')}.`;
      if (typeof patch.path !== 'string' || !/^\/attributes\/[a-z0-9_]+$/.test(patch.path)) return `patches[${index}].path must name a top-level attribute (/attributes/<name>).`;
      if (patch.op !== 'delete' && !Array.isArray(patch.value)) return `patches[${index}].value must be an array.`;
    }
    return undefined;
  }

  /**
   * Applies a well-formed patch to one listing, all or nothing: an unknown SKU, a SKU made to
   * fail, or an attribute value its schema refuses makes the submission INVALID with ERROR issues,
   * and nothing changes.
   */
  patch(sellerId: string, marketplaceId: string, sku: string, patches: ListingPatch[], via: Listing['history'][number]['via'], now = new Date()): ListingSubmission {
    const submissionId = randomBytes(16).toString('hex');
    const listing = this.listings.get(listingKey(sellerId, marketplaceId, sku));
    if (!listing) {
      return invalid(sku, submissionId, [{ code: '4000001', message: `SKU ${sku} is not listed in marketplace ${marketplaceId}.`, severity: 'ERROR', categories: ['INVALID_ATTRIBUTE'] }]);
    }
    const refuse = (issues: ListingIssue[]) => {
      listing.refused.push({ at: now.toISOString(), via, submissionId, issues });
      return invalid(sku, submissionId, issues);
    };
    const forced = this.failures.get(`${sellerId}|${sku}`);
    if (forced) return refuse([forced]);
    const issues = patches.flatMap((p) => [...attributeIssues(p), ...channelIssues(listing, p)]);
    if (issues.length) return refuse(issues);
    for (const p of patches) {
      const name = (p.path as string).slice('/attributes/'.length);
      if (p.op === 'delete') delete listing.attributes[name];
      else if (p.op === 'merge' && Array.isArray(listing.attributes[name])) {
        const merged = (listing.attributes[name] as Record<string, unknown>[]).map((old, i) => ({ ...old, ...((p.value as Record<string, unknown>[])[i] ?? {}) }));
        listing.attributes[name] = [...merged, ...(p.value as unknown[]).slice(merged.length)];
      } else listing.attributes[name] = p.value;
    }
    listing.updatedAt = now.toISOString();
    listing.history.push({ quantity: listing.attributes.fulfillment_availability?.[0]?.quantity ?? null, at: listing.updatedAt, via, submissionId });
    return { sku, status: 'ACCEPTED', submissionId, issues: [] };
  }
}

function listingKey(sellerId: string, marketplaceId: string, sku: string): string {
  return `${sellerId}|${marketplaceId}|${sku}`;
}

function invalid(sku: string, submissionId: string, issues: ListingIssue[]): ListingSubmission {
  return { sku, status: 'INVALID', submissionId, issues };
}

/** `fulfillment_availability` against its schema: a channel code, a whole quantity ≥ 0, a whole handling time 0..30. */
function attributeIssues(patch: ListingPatch): ListingIssue[] {
  if (patch.path !== '/attributes/fulfillment_availability' || patch.op === 'delete') return [];
  const issue = (message: string): ListingIssue => ({ code: '90220', message, severity: 'ERROR', attributeNames: ['fulfillment_availability'], categories: ['INVALID_ATTRIBUTE'] });
  const out: ListingIssue[] = [];
  for (const [index, entry] of (patch.value as Record<string, unknown>[]).entries()) {
    if (typeof entry !== 'object' || entry === null) {
      out.push(issue(`fulfillment_availability[${index}] must be an object.`));
      continue;
    }
    if (typeof entry.fulfillment_channel_code !== 'string' || !entry.fulfillment_channel_code) out.push(issue(`'fulfillment_channel_code' is required but not supplied (fulfillment_availability[${index}]).`));
    if ('quantity' in entry && !(Number.isInteger(entry.quantity) && (entry.quantity as number) >= 0)) out.push(issue(`'quantity' must be a whole number of 0 or more (fulfillment_availability[${index}]).`));
    if ('lead_time_to_ship_max_days' in entry && !(Number.isInteger(entry.lead_time_to_ship_max_days) && (entry.lead_time_to_ship_max_days as number) >= 0 && (entry.lead_time_to_ship_max_days as number) <= 30))
      out.push(issue(`'lead_time_to_ship_max_days' must be a whole number from 0 to 30 (fulfillment_availability[${index}]).`));
    const unknown = Object.keys(entry).filter((k) => !['fulfillment_channel_code', 'quantity', 'lead_time_to_ship_max_days', 'restock_date', 'is_inventory_available'].includes(k));
    if (unknown.length) out.push(issue(`fulfillment_availability[${index}] has properties the schema does not allow: ${unknown.join(', ')}.`));
  }
  return out;
}

/**
 * A merchant (`DEFAULT`) quantity patched onto a listing fulfilled by Amazon: Amazon would take
 * it as a switch of the offer to merchant fulfilled (the seller's FBA offer gone); the sandbox
 * refuses it so a connector that does so is caught.
 */
function channelIssues(listing: Listing, patch: ListingPatch): ListingIssue[] {
  if (patch.path !== '/attributes/fulfillment_availability' || patch.op === 'delete') return [];
  const amazonChannel = listing.attributes.fulfillment_availability?.find((f) => f.fulfillment_channel_code !== 'DEFAULT')?.fulfillment_channel_code;
  if (!amazonChannel) return [];
  const merchant = (patch.value as Record<string, unknown>[]).some((entry) => entry?.fulfillment_channel_code === 'DEFAULT');
  if (!merchant) return [];
  return [
    {
      code: '8105',
      message: `SKU ${listing.sku} is fulfilled by Amazon (${amazonChannel}): a DEFAULT fulfillment_availability would change it to merchant fulfilled.`,
      severity: 'ERROR',
      attributeNames: ['fulfillment_availability'],
      categories: ['INVALID_ATTRIBUTE'],
    },
  ];
}
