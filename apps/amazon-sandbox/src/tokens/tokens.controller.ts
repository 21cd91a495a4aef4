import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { AccessTokenStore } from '../auth/access-token.store';
import { AmazonApiError } from '../sp-api/amazon-error';
import { SpApiOperationName, type SpApiRequest } from '../sp-api/sp-api-operation.decorator';
import { DATA_ELEMENTS, isRestrictedPath, RestrictedResource } from './restricted-resources';

const RDT_TTL_SECONDS = 3600;

/** Tokens API 2021-03-01: restricted data tokens for the Orders v0 operations with personal data. */
@Controller('tokens/2021-03-01')
export class TokensController {
  constructor(private readonly tokens: AccessTokenStore) {}

  @Post('restrictedDataToken')
  @HttpCode(200)
  @SpApiOperationName('createRestrictedDataToken')
  create(@Req() req: SpApiRequest, @Body() body: unknown) {
    if (req.restrictedResource) throw AmazonApiError.unauthorized();
    const resources = (body as { restrictedResources?: unknown } | undefined)?.restrictedResources;
    if (!Array.isArray(resources) || resources.length === 0 || resources.length > 50) {
      throw AmazonApiError.invalidInput('restrictedResources must list 1 to 50 resources.', 'restrictedResources');
    }
    const accepted: RestrictedResource[] = resources.map((raw: unknown, i: number) => {
      const r = (raw ?? {}) as Record<string, unknown>;
      if (typeof r.method !== 'string' || !['GET', 'PUT', 'POST', 'DELETE'].includes(r.method)) throw AmazonApiError.invalidInput(`restrictedResources[${i}].method must be GET, PUT, POST or DELETE.`, `restrictedResources[${i}].method`);
      if (typeof r.path !== 'string' || !isRestrictedPath(r.path.replace(/\{[^}]+\}/g, 'x'))) {
        throw AmazonApiError.invalidInput(`restrictedResources[${i}].path is not a restricted operation.`, `restrictedResources[${i}].path`);
      }
      if (r.method !== 'GET') throw AmazonApiError.invalidInput(`restrictedResources[${i}]: the orders restricted operations are GET.`, `restrictedResources[${i}].method`);
      let dataElements: string[] | undefined;
      if (r.dataElements !== undefined) {
        if (!Array.isArray(r.dataElements) || r.dataElements.some((d) => !(DATA_ELEMENTS as readonly unknown[]).includes(d))) {
          throw AmazonApiError.invalidInput(`restrictedResources[${i}].dataElements may only contain ${DATA_ELEMENTS.join(', ')}.`, `restrictedResources[${i}].dataElements`);
        }
        dataElements = r.dataElements as string[];
      }
      return { method: r.method, path: r.path, ...(dataElements ? { dataElements } : {}) };
    });
    return { restrictedDataToken: this.tokens.issueRestricted(req.sellerId, accepted, RDT_TTL_SECONDS), expiresIn: RDT_TTL_SECONDS };
  }
}
