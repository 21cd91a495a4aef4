import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuthorizationEventsHandler } from './authorization-events.handler';

/**
 * Link with Amazon's audit of each link, from order-ingestion's events. (Its controller is the
 * gateway module's, beside the other routes: it needs the gateway's TransitSecrets.)
 */
@Module({
  imports: [AccessModule],
  providers: [AuthorizationEventsHandler],
})
export class AuthorizationsModule {}
