import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  GET_NOTIFICATION,
  LIST_NOTIFICATIONS,
  ListNotificationsRequest,
  NotificationView,
  Page,
  RETRY_NOTIFICATION,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { ApiContractQuery } from '../common/openapi';
import { UuidParam } from '../common/validation';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @AccountFrom('query')
  @ApiOperation({ summary: 'What was told to Amazon, its state and Amazon\'s answer' })
  @ApiContractQuery(ListNotificationsRequest)
  list(@Query() query: ListNotificationsRequest): Promise<Page<NotificationView>> {
    return this.services.request(LIST_NOTIFICATIONS, query);
  }

  @Get(':id')
  @AccountFrom({ resource: 'notification' })
  @ApiOperation({ summary: 'One notification' })
  get(@UuidParam() id: string): Promise<NotificationView> {
    return this.services.request(GET_NOTIFICATION, { id });
  }

  @Post(':id/retry')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom({ resource: 'notification' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a failed notification again' })
  retry(@UuidParam() id: string): Promise<NotificationView> {
    return this.services.request(RETRY_NOTIFICATION, { id });
  }
}
