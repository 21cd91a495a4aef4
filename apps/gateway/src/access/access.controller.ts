import { Body, Controller, Delete, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Page } from '@connector/contracts';
import { API_V1 } from '../common/api-version';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { UuidParam } from '../common/validation';
import { ApiKeyView, AuditEntryView, CreateApiKeyRequest, CreatedApiKeyView, ListApiKeysRequest, ListAuditRequest } from './api-key.messages';
import { ApiKeysService, Caller } from './api-keys.service';
import { AuditService } from './audit.service';
import { AccountFrom, ApiScope, RequiresScope } from './scopes';

/** API keys and the audit log: admin only, and not for keys limited to some accounts (but creating a narrower key). */
@ApiTags('access')
@ApiRoutes({ services: false })
@Controller(API_V1)
@RequiresScope(ApiScope.Admin)
export class AccessController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Post('keys')
  @AccountFrom('none')
  // Not @Idempotent(): its answer holds the new key, which is kept nowhere (only its hash), not even for a replay.
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Make an API key with scopes (read, operate, admin), optionally for some accounts only; the key is shown once',
    description: 'Idempotency-Key is not honoured here: the answer holds the new key, which the gateway keeps only as a hash.',
  })
  @ApiProblems(413, 503)
  create(@Body() body: CreateApiKeyRequest, @Req() request: { caller: Caller }): Promise<CreatedApiKeyView> {
    return this.keys.create(body, request.caller);
  }

  @Get('keys')
  @ApiOperation({ operationId: 'listApiKeys', summary: 'API keys (never the keys themselves)' })
  @ApiPage(ApiKeyView)
  list(@Query() query: ListApiKeysRequest): Promise<Page<ApiKeyView>> {
    return this.keys.list(query);
  }

  @Delete('keys/:id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke an API key (every gateway refuses it within seconds)' })
  @ApiResponse({ status: 204, description: 'Revoked (or it was already).' })
  @ApiProblems(404)
  async revoke(@UuidParam() id: string): Promise<void> {
    await this.keys.revoke(id);
  }

  @Get('audit')
  @ApiOperation({ operationId: 'listAuditEntries', summary: 'Changes made through the API, newest first: which key, when, what (secrets redacted), status' })
  @ApiPage(AuditEntryView)
  auditLog(@Query() query: ListAuditRequest): Promise<Page<AuditEntryView>> {
    return this.audit.list(query);
  }
}
