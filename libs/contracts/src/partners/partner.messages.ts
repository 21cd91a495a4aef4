import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { replyOf, requestContract } from '../common/message-contract';
import { IdRequest, PageQuery } from '../common/page-query';
import type { Page } from '../common/rpc-error';

/** A buyer search holds what names are compared by: partner-resolution's normalizeText keeps letters and digits, and punctuation alone ("-") is no one's name. */
export const BUYER_SEARCH = /[\p{L}\p{N}]/u;
export const BUYER_SEARCH_MESSAGE = 'buyer must hold a letter or a digit';

export class BuyerInput {
  @IsOptional() @IsString() @MaxLength(300) name?: string;
  @IsOptional() @IsString() @MaxLength(300) email?: string;
  @IsOptional() @IsString() @MaxLength(300) companyName?: string;
}

export class AddressInput {
  @IsOptional() @IsString() @MaxLength(300) name?: string;
  @IsOptional() @IsString() @MaxLength(300) companyName?: string;
  @IsOptional() @IsString() @MaxLength(300) addressLine1?: string;
  @IsOptional() @IsString() @MaxLength(300) addressLine2?: string;
  @IsOptional() @IsString() @MaxLength(300) addressLine3?: string;
  @IsOptional() @IsString() @MaxLength(200) city?: string;
  @IsOptional() @IsString() @MaxLength(200) districtOrCounty?: string;
  @IsOptional() @IsString() @MaxLength(200) stateOrRegion?: string;
  @IsOptional() @IsString() @MaxLength(50) postalCode?: string;
  @Matches(/^[A-Z]{2}$/) countryCode: string;
  @IsOptional() @IsString() @MaxLength(100) phone?: string;
  @IsOptional() @IsString() @MaxLength(50) addressType?: string;
}

export class PartyToResolve {
  /** The caller's correlation key (the Amazon order id), echoed back in the answer. */
  @IsString() @MaxLength(100) key: string;
  @IsUUID() accountId: string;
  /** Used for a readable placeholder name when Amazon gives none. */
  @IsString() @MaxLength(100) orderReference: string;
  @ValidateNested() @Type(() => BuyerInput) buyer: BuyerInput;
  @ValidateNested() @Type(() => AddressInput) address: AddressInput;
  @IsISO8601() orderedAt: string;
  /** The sales order these partners are for, and whether it is shipped or cancelled: the retention period counts from its closing. */
  @IsUUID() orderId: string;
  @IsBoolean() orderClosed: boolean;
}

/**
 * One request per page of orders: find or create each order's contact and delivery address,
 * and remember which partners each order uses and whether it is closed (for retention).
 */
export class ResolvePartnersRequest {
  @ArrayMinSize(1) @ArrayMaxSize(500) @ValidateNested({ each: true }) @Type(() => PartyToResolve) parties: PartyToResolve[];
}
// Find-or-create by the buyer's match keys: asked again, it finds what the first try created.
export const RESOLVE_PARTNERS = requestContract({ subject: 'partners.resolve.v1', version: 1, payload: ResolvePartnersRequest, reply: replyOf<ResolvePartnersResponse>(), idempotent: true });
export interface ResolvedParty {
  key: string;
  contactId: string;
  deliveryAddressId: string;
}
export interface ResolvePartnersResponse {
  parties: ResolvedParty[];
}

export class ListPartnersRequest extends PageQuery {
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @IsString() @MaxLength(200) search?: string;
}
/**
 * The contacts a buyer search names: the whole name or e-mail address, compared through their
 * keyed hashes (the values are sealed). At most `limit` ids; `more` when there were more.
 */
export class FindContactsRequest {
  @IsString() @Matches(BUYER_SEARCH, { message: BUYER_SEARCH_MESSAGE }) @MaxLength(300) buyer: string;
  @IsOptional() @IsUUID() accountId?: string;
}
export interface FindContactsResponse {
  contactIds: string[];
  more: boolean;
}
/** The most contact ids one buyer search returns: an exact name shared by more buyers than this is not a search. */
export const FIND_CONTACTS_LIMIT = 1000;
export const FIND_CONTACTS = requestContract({ subject: 'partners.contacts.find.v1', version: 1, payload: FindContactsRequest, reply: replyOf<FindContactsResponse>() });

export const LIST_PARTNERS = requestContract({ subject: 'partners.list.v1', version: 1, payload: ListPartnersRequest, reply: replyOf<Page<PartnerView>>() });
export const GET_PARTNER = requestContract({ subject: 'partners.get.v1', version: 1, payload: IdRequest, reply: replyOf<PartnerView>() });

export class DeliveryAddressView {
  id: string;
  contactId: string;
  /** @example "Erika Mustermann" */
  name: string | null;
  companyName: string | null;
  /** @example "Musterstraße 1" */
  addressLine1: string | null;
  addressLine2: string | null;
  addressLine3: string | null;
  /** @example "Berlin" */
  city: string | null;
  stateOrRegion: string | null;
  /** @example "10115" */
  postalCode: string | null;
  /** @example "DE" */
  countryCode: string;
  phone: string | null;
  anonymizedAt: string | null;
}
export class PartnerView {
  id: string;
  accountId: string;
  /** @example "Erika Mustermann" */
  name: string;
  /** @example "abc123@marketplace.amazon.de" */
  email: string | null;
  companyName: string | null;
  isBusiness: boolean;
  anonymizedAt: string | null;
  deliveryAddresses: DeliveryAddressView[];
  createdAt: string;
}
