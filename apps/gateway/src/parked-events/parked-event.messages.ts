import { PipeTransform } from '@nestjs/common';
import { IsIn } from 'class-validator';
import { ListParkedEventsRequest, SERVICE_NAMES, ServiceName } from '@connector/contracts';
import { validationFailed } from '../common/validation';

export class ListParkedEventsQuery extends ListParkedEventsRequest {
  /** The service whose parked events to list (each service parks the events it consumes). */
  @IsIn(SERVICE_NAMES) service: ServiceName;
}

/** A path's service: one of the connector's services, or a 400. */
export class ServiceNamePipe implements PipeTransform<string, ServiceName> {
  transform(value: string): ServiceName {
    if (!(SERVICE_NAMES as readonly string[]).includes(value)) throw validationFailed([{ field: 'service', errors: [`service must be one of ${SERVICE_NAMES.join(', ')}`] }]);
    return value as ServiceName;
  }
}

/** A path's event id: printable, at most 300 characters (an outbox id, or a message id). */
export class EventIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!/^[\x21-\x7e]{1,300}$/.test(value)) throw validationFailed([{ field: 'eventId', errors: ['eventId must be 1 to 300 printable characters'] }]);
    return value;
  }
}

