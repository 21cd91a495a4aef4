import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  GET_NOTIFICATION,
  LIST_NOTIFICATIONS,
  ListNotificationsRequest,
  NotificationView,
  Page,
  RETRY_NOTIFICATION,
  RETRY_NOTIFICATIONS,
  RetryNotificationsRequest,
  RetryNotificationsResult,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { UuidParam } from '../common/validation';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('notifications')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/notifications`)
export class NotificationsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({ operationId: 'listNotifications', summary: 'What was told to Amazon, its state and Amazon\'s answer' })
  @ApiPage(NotificationView)
  list(@Query() query: ListNotificationsRequest): Promise<Page<NotificationView>> {
    return this.services.request(LIST_NOTIFICATIONS, query);
  }

  @Post('retry')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('body')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({
    operationId: 'retryNotifications',
    summary: 'Send failed notifications again in bulk',
    description: 'Every failed notification matching all the filters given (account, kind, ids), the oldest first, up to `limit`, is pending again and sent at once. Call again while `retried` equals the limit.',
  })
  @ApiProblems(400, 413)
  retryFailed(@Body() body: RetryNotificationsRequest): Promise<RetryNotificationsResult> {
    return this.services.request(RETRY_NOTIFICATIONS, body);
  }

  @Get(':id')
  @AccountFrom({ resource: 'notification' })
  @ApiOperation({ operationId: 'getNotification', summary: 'One notification' })
  @ApiProblems(404)
  get(@UuidParam() id: string): Promise<NotificationView> {
    return this.services.request(GET_NOTIFICATION, { id });
  }

  @Post(':id/retry')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'notification' })
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({ operationId: 'retryNotification', summary: 'Send a failed notification again' })
  @ApiProblems(404, 409)
  retry(@UuidParam() id: string): Promise<NotificationView> {
    return this.services.request(RETRY_NOTIFICATION, { id });
  }
}
