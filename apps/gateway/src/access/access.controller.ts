import { Body, Controller, Delete, Get, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Page } from '@connector/contracts';
import { ApiContractBody, ApiContractQuery } from '../common/openapi';
import { UuidParam } from '../common/validation';
import { ApiKeyView, AuditEntryView, CreateApiKeyRequest, CreatedApiKeyView, ListApiKeysRequest, ListAuditRequest } from './api-key.messages';
import { ApiKeysService, Caller } from './api-keys.service';
import { AuditService } from './audit.service';
import { AccountFrom, ApiScope, RequiresScope } from './scopes';

/** API keys and the audit log: admin only, and not for keys limited to some accounts (but creating a narrower key). */
@ApiTags('access')
@ApiBearerAuth()
@Controller('api')
@RequiresScope(ApiScope.Admin)
export class AccessController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly audit: AuditService,
  ) {}

  @Post('keys')
  @AccountFrom('none')
  @ApiOperation({ summary: 'Make an API key with scopes (read, operate, admin), optionally for some accounts only; the key is shown once' })
  @ApiContractBody(CreateApiKeyRequest)
  create(@Body() body: CreateApiKeyRequest, @Req() request: { caller: Caller }): Promise<CreatedApiKeyView> {
    return this.keys.create(body, request.caller);
  }

  @Get('keys')
  @ApiOperation({ summary: 'API keys (never the keys themselves)' })
  @ApiContractQuery(ListApiKeysRequest)
  list(@Query() query: ListApiKeysRequest): Promise<Page<ApiKeyView>> {
    return this.keys.list(query);
  }

  @Delete('keys/:id')
  @ApiOperation({ summary: 'Revoke an API key (every gateway refuses it within seconds)' })
  revoke(@UuidParam() id: string): Promise<ApiKeyView> {
    return this.keys.revoke(id);
  }

  @Get('audit')
  @ApiOperation({ summary: 'Changes made through the API, newest first: which key, when, what (secrets redacted), status' })
  @ApiContractQuery(ListAuditRequest)
  auditLog(@Query() query: ListAuditRequest): Promise<Page<AuditEntryView>> {
    return this.audit.list(query);
  }
}
