import { Type } from 'class-transformer';
import { IsIn, IsISO31661Alpha2, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf, ValidateNested } from 'class-validator';
import { replyOf, requestContract } from '../common/message-contract';
import { IdRequest, PageQuery } from '../common/page-query';
import type { Page } from '../common/rpc-error';

const NOT_BLANK = /\S/;
const notBlank = (field: string) => ({ message: `${field} must not be empty` });

/**
 * Where a warehouse ships parcels from, in Amazon's address shape (MerchantAddress of the
 * Orders API: the seller's ship-from address).
 */
export class LocationAddress {
  /** The business or facility at this address. @example "Müller Versand GmbH, Lager Hamburg" */
  @IsString() @Matches(NOT_BLANK, notBlank('name')) @MaxLength(100) name: string;
  /** @example "Hafenstraße 1" */
  @IsString() @Matches(NOT_BLANK, notBlank('addressLine1')) @MaxLength(180) addressLine1: string;
  @IsOptional() @IsString() @MaxLength(180) addressLine2?: string;
  @IsOptional() @IsString() @MaxLength(180) addressLine3?: string;
  /** @example "Hamburg" */
  @IsString() @Matches(NOT_BLANK, notBlank('city')) @MaxLength(100) city: string;
  @IsOptional() @IsString() @MaxLength(100) districtOrCounty?: string;
  @IsOptional() @IsString() @MaxLength(100) stateOrRegion?: string;
  @IsOptional() @IsString() @MaxLength(100) municipality?: string;
  /** @example "20457" */
  @IsString() @Matches(/^[A-Za-z0-9][A-Za-z0-9 -]{0,19}$/, { message: 'postalCode must be 1 to 20 letters, digits, spaces or hyphens' }) postalCode: string;
  // Capitals, as Amazon writes them, and a code that exists (so "UK" is refused: it is GB).
  /** ISO 3166-1 alpha-2. @example "DE" */
  @Matches(/^[A-Z]{2}$/, { message: 'countryCode must be an ISO 3166-1 alpha-2 code' })
  @IsISO31661Alpha2({ message: 'countryCode must be an ISO 3166-1 alpha-2 code' })
  countryCode: string;
  /** @example "+49 40 1234567" */
  @IsOptional() @IsString() @Matches(/^\+?[0-9 ()/-]{3,30}$/, { message: 'phone must be 3 to 30 digits, spaces and + ( ) / -' }) phone?: string;
}

const SUPPLY_SOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/;
const SUPPLY_SOURCE_MESSAGE = { message: 'supplySourceId must be Amazon\'s supply source id: 1 to 100 letters, digits and . _ : -' };

/** A warehouse of the seller: a stock location its FBM deliveries may ship from. */
export class CreateLocationRequest {
  /** @example "Warehouse Hamburg" */
  @IsString() @Matches(NOT_BLANK, notBlank('name')) @MaxLength(100) name: string;
  /** `stock`: the seller's own stock (a warehouse), the only kind made through the API. */
  @IsOptional() @IsIn(['stock'], { message: 'kind must be stock (a warehouse of the seller)' }) kind?: 'stock';
  @IsObject() @ValidateNested() @Type(() => LocationAddress) address: LocationAddress;
  /** Amazon's id of this warehouse as a supply source (Seller Central): shipment confirmations name it. @example "057d3fcc-b750-419f-bbcd-4d340c60c430" */
  @IsOptional() @Matches(SUPPLY_SOURCE_ID, SUPPLY_SOURCE_MESSAGE) supplySourceId?: string;
}

/** What changes; a field left out stays. `supplySourceId: null` removes it. */
export class UpdateLocationChanges {
  // Left out is unchanged; null is refused (a name and an address are never taken away).
  @ValidateIf((c: UpdateLocationChanges) => c.name !== undefined) @IsString() @Matches(NOT_BLANK, notBlank('name')) @MaxLength(100) name?: string;
  @ValidateIf((c: UpdateLocationChanges) => c.address !== undefined) @IsObject() @ValidateNested() @Type(() => LocationAddress) address?: LocationAddress;
  /** Null removes it. */
  @IsOptional() @Matches(SUPPLY_SOURCE_ID, SUPPLY_SOURCE_MESSAGE) supplySourceId?: string | null;
}
export class UpdateLocationRequest {
  @IsUUID() id: string;
  @IsObject() @ValidateNested() @Type(() => UpdateLocationChanges) changes: UpdateLocationChanges;
}

export const CREATE_LOCATION = requestContract({ subject: 'inventory.locations.create.v1', version: 1, payload: CreateLocationRequest, reply: replyOf<LocationView>() });
export const GET_LOCATION = requestContract({ subject: 'inventory.locations.get.v1', version: 1, payload: IdRequest, reply: replyOf<LocationView>() });
export const UPDATE_LOCATION = requestContract({ subject: 'inventory.locations.update.v1', version: 1, payload: UpdateLocationRequest, reply: replyOf<LocationView>() });
export const ARCHIVE_LOCATION = requestContract({ subject: 'inventory.locations.archive.v1', version: 1, payload: IdRequest, reply: replyOf<LocationView>() });

/** A location as the API shows it. */
export class LocationView {
  id: string;
  /** @example "Warehouse Hamburg" */
  name: string;
  /** `stock`: the seller's warehouses (and the shared `Stock`); `fba`: an account's Amazon warehouse; `customers` and `inventory_adjustment`: where stock goes. */
  kind: 'fba' | 'stock' | 'customers' | 'inventory_adjustment';
  accountId: string | null;
  /** Where a warehouse ships from; null for locations without one. */
  address: LocationAddress | null;
  /** Amazon's supply source id of the warehouse, sent with its shipment confirmations. */
  supplySourceId: string | null;
  /** When it was archived: it keeps its stock moves, and no account may ship from it. */
  archivedAt: string | null;
  createdAt: string;
}

/** A page of locations ({ items, nextCursor }), oldest first, like every other list. */
export class ListLocationsRequest extends PageQuery {}
export const LIST_LOCATIONS = requestContract({ subject: 'inventory.locations.list.v1', version: 1, payload: ListLocationsRequest, reply: replyOf<Page<LocationView>>() });

/**
 * The warehouse a package ships from, as it was when the package was validated (a later change
 * of the location leaves it): Amazon gets its supplySourceId only (confirmShipment has no
 * address field); the rest is kept with the delivery and its confirmation.
 */
export class ShipFromRecord {
  @IsUUID() locationId: string;
  @IsString() name: string;
  @IsOptional() @IsObject() address: LocationAddress | null;
  @IsOptional() @IsString() supplySourceId: string | null;
}
