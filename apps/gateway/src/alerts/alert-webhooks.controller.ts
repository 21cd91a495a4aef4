import { Body, Controller, Delete, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Page } from '@connector/contracts';
import type { Caller } from '../access/api-keys.service';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';
import { API_V1 } from '../common/api-version';
import { UuidParam } from '../common/validation';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import {
  AlertDeliveryView,
  AlertWebhookView,
  CreateAlertWebhookRequest,
  CreatedAlertWebhookView,
  ListAlertDeliveriesRequest,
  ListAlertWebhooksRequest,
  TestAlertView,
} from './alert-webhook.messages';
import { AlertWebhooksService } from './alert-webhooks.service';

/**
 * Alert webhooks: a key's own (alerts of the accounts it may see) or global (admin keys of
 * every account). Reading takes `read`, subscribing, deleting and testing `operate` (the daily
 * work); each key sees and changes only its own webhooks, an admin key of every account all of them.
 */
@ApiTags('alerts')
@ApiRoutes({ services: false })
@Controller(`${API_V1}/alert-webhooks`)
@AccountFrom('none')
export class AlertWebhooksController {
  constructor(private readonly webhooks: AlertWebhooksService) {}

  @Post()
  @RequiresScope(ApiScope.Operate)
  // Not @Idempotent(): its answer holds the new secret, which is kept only sealed, not for a replay.
  @ApiOperation({
    operationId: 'createAlertWebhook',
    summary: 'Subscribe a URL to alerts (kinds, optionally some accounts); the signing secret is shown once',
    description: 'Alerts are POSTed as JSON with `X-Connector-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` and `X-Connector-Alert-Id`. See the README, Alerts.',
  })
  @ApiProblems(413)
  create(@Body() body: CreateAlertWebhookRequest, @Req() request: { caller: Caller }): Promise<CreatedAlertWebhookView> {
    return this.webhooks.create(body, request.caller);
  }

  @Get()
  @RequiresScope(ApiScope.Read)
  @ApiOperation({ operationId: 'listAlertWebhooks', summary: 'Alert webhooks of the calling key (all of them for an admin key of every account); never their secrets' })
  @ApiPage(AlertWebhookView)
  list(@Query() query: ListAlertWebhooksRequest, @Req() request: { caller: Caller }): Promise<Page<AlertWebhookView>> {
    return this.webhooks.list(query, request.caller);
  }

  @Delete(':id')
  @RequiresScope(ApiScope.Operate)
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteAlertWebhook', summary: 'Stop an alert webhook: nothing more is sent to it; its delivery log stays' })
  @ApiResponse({ status: 204, description: 'Deleted.' })
  @ApiProblems(404)
  async remove(@UuidParam() id: string, @Req() request: { caller: Caller }): Promise<void> {
    await this.webhooks.remove(id, request.caller);
  }

  @Get(':id/deliveries')
  @RequiresScope(ApiScope.Read)
  @ApiOperation({ operationId: 'listAlertDeliveries', summary: 'The delivery log of a webhook, newest first: alert, attempts, last status and error, next try, delivered at' })
  @ApiPage(AlertDeliveryView)
  @ApiProblems(404)
  deliveries(@UuidParam() id: string, @Query() query: ListAlertDeliveriesRequest, @Req() request: { caller: Caller }): Promise<Page<AlertDeliveryView>> {
    return this.webhooks.deliveriesOf(id, query, request.caller);
  }

  @Post(':id/test')
  @RequiresScope(ApiScope.Operate)
  @HttpCode(202)
  @ApiOperation({ operationId: 'testAlertWebhook', summary: 'Send a `test` alert to this webhook (signed and retried like any alert); see its delivery log' })
  @ApiResponse({ status: 202, description: 'Queued.', type: TestAlertView })
  @ApiProblems(404)
  test(@UuidParam() id: string, @Req() request: { caller: Caller }): Promise<TestAlertView> {
    return this.webhooks.sendTest(id, request.caller);
  }
}
