import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Page,
  PARKED_EVENTS,
  ParkedEventActionView,
  ParkedEventDetailView,
  ParkedEventView,
  ServiceName,
} from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiRoutes } from '../openapi/api-docs';
import { ApiScope, RequiresScope } from '../access/scopes';
import { EventIdPipe, ListParkedEventsQuery, ServiceNamePipe } from './parked-event.messages';

/**
 * Events a service could not handle (invalid, or failing on their own until parked), kept
 * aside for a person: looked at, handled again, or discarded. Limited keys are refused: parked
 * events belong to no one account.
 */
@ApiTags('parked-events')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/parked-events`)
export class ParkedEventsController {
  // Path services are typed string, not ServiceName: a type alias leaves no parameter type for the
  // OpenAPI document (ServiceNamePipe has checked them).
  constructor(private readonly services: ServiceClient) {}

  @Get()
  @ApiOperation({ operationId: 'listParkedEvents', summary: 'Events a service parked, oldest first, with the reason' })
  @ApiPage(ParkedEventView)
  list(@Query() query: ListParkedEventsQuery): Promise<Page<ParkedEventView>> {
    const { service, ...request } = query;
    return this.services.request(PARKED_EVENTS[service].list, request);
  }

  @Get(':service/:eventId')
  @ApiOperation({ operationId: 'getParkedEvent', summary: 'One parked event; its payload unless it could hold buyers\' personal data' })
  @ApiProblems(404)
  get(@Param('service', new ServiceNamePipe()) service: string, @Param('eventId', new EventIdPipe()) eventId: string): Promise<ParkedEventDetailView> {
    return this.services.request(PARKED_EVENTS[service as ServiceName].get, { eventId });
  }

  @Post(':service/:eventId/replay')
  @RequiresScope(ApiScope.Operate)
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ operationId: 'replayParkedEvent', summary: 'Handle a parked event again now, as if new (it stays parked if it fails again: 409 with the reason)' })
  @ApiProblems(404, 409)
  replay(@Param('service', new ServiceNamePipe()) service: string, @Param('eventId', new EventIdPipe()) eventId: string): Promise<ParkedEventActionView> {
    return this.services.request(PARKED_EVENTS[service as ServiceName].replay, { eventId });
  }

  @Post(':service/:eventId/discard')
  @RequiresScope(ApiScope.Operate)
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({ operationId: 'discardParkedEvent', summary: 'Discard a parked event: kept, marked discarded, no longer waiting' })
  @ApiProblems(404, 409)
  discard(@Param('service', new ServiceNamePipe()) service: string, @Param('eventId', new EventIdPipe()) eventId: string): Promise<ParkedEventActionView> {
    return this.services.request(PARKED_EVENTS[service as ServiceName].discard, { eventId });
  }
}
