import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateIf } from 'class-validator';
import { replyOf, requestContract } from '../common/message-contract';
import { AMAZON_CARRIER_CODES, OTHER_CARRIER_CODE } from './carrier-codes';

const NOT_BLANK = /\S/;

/** One of Amazon's carrier codes, as `GET /api/v1/carriers` lists them. */
export class CarrierView {
  /** @example "DHL" */
  code: string;
  /** True for `Other` only: the carrier's name must be given with it. */
  requiresCarrierName: boolean;
}
export class CarrierListView {
  items: CarrierView[];
}

/** What a seller's carrier name stands for at Amazon. */
export class CarrierMappingBody {
  /** @example "DHL" */
  @IsIn(AMAZON_CARRIER_CODES, { message: 'carrierCode must be one of Amazon\'s carrier codes (GET /api/v1/carriers)' })
  carrierCode: string;
  /** Required with carrierCode Other: the name Amazon shows the buyer. */
  @ValidateIf((body: CarrierMappingBody) => body.carrierCode === OTHER_CARRIER_CODE || body.carrierName !== undefined)
  @IsString() @Matches(NOT_BLANK, { message: 'carrierName must not be empty' }) @MaxLength(100)
  carrierName?: string;
}

export class CarrierMappingName {
  /** The seller's own name for the carrier, matched without regard to case or surrounding spaces. @example "dhl paket" */
  @IsString() @Matches(NOT_BLANK, { message: 'name must not be empty' }) @MaxLength(100)
  name: string;
}

/** A mapping of one account (it wins over the global one of that name for the account's deliveries); without accountId, the global one. */
export class CarrierMappingKey extends CarrierMappingName {
  @IsOptional() @IsUUID() accountId?: string;
}

/** The path of an account's own mapping: /accounts/:id/carrier-mappings/:name. */
export class AccountCarrierMappingPath extends CarrierMappingName {
  /** The account. */
  @IsUUID() id: string;
}

export class PutCarrierMappingRequest extends CarrierMappingBody {
  @IsString() @Matches(NOT_BLANK, { message: 'name must not be empty' }) @MaxLength(100)
  name: string;
  /** Only for this account's deliveries; without it, for every account without its own. */
  @IsOptional() @IsUUID() accountId?: string;
}

/** Without accountId, the global mappings; with it, that account's own. */
export class ListCarrierMappingsRequest {
  @IsOptional() @IsUUID() accountId?: string;
}

export class CarrierMappingView {
  /** @example "dhl paket" */
  name: string;
  /** @example "DHL" */
  carrierCode: string;
  carrierName: string | null;
  /** The account it is for; null: global (every account without a mapping of its own of that name). */
  accountId: string | null;
  createdAt: string;
  updatedAt: string;
}
export class CarrierMappingListView {
  items: CarrierMappingView[];
}

export const LIST_CARRIER_MAPPINGS = requestContract({ subject: 'inventory.carrier-mappings.list.v1', version: 1, payload: ListCarrierMappingsRequest, reply: replyOf<CarrierMappingListView>() });
export const GET_CARRIER_MAPPING = requestContract({ subject: 'inventory.carrier-mappings.get.v1', version: 1, payload: CarrierMappingKey, reply: replyOf<CarrierMappingView>() });
export const PUT_CARRIER_MAPPING = requestContract({ subject: 'inventory.carrier-mappings.put.v1', version: 1, payload: PutCarrierMappingRequest, reply: replyOf<CarrierMappingView>() });
export const DELETE_CARRIER_MAPPING = requestContract({ subject: 'inventory.carrier-mappings.delete.v1', version: 1, payload: CarrierMappingKey, reply: replyOf<CarrierMappingView>() });
