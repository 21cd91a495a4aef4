import { SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { SpApiOperation } from '../rate-limits/operations';
import type { RestrictedResource } from '../tokens/restricted-resources';

export const SP_API_OPERATION = 'sandbox:sp-api-operation';

/** Marks a handler as an SP-API operation: it then needs a token and is metered and fault-injected. */
export const SpApiOperationName = (operation: SpApiOperation) => SetMetadata(SP_API_OPERATION, operation);

/** The request after the SP-API interceptor resolved its access token. */
export interface SpApiRequest extends Request {
  sellerId: string;
  /** The LWA client (application) the access token was issued to. */
  clientId?: string;
  /** Set when the call was made with a restricted data token: the resource it covers (PII allowed). */
  restrictedResource?: RestrictedResource;
}
