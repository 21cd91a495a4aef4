import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuthorizationEventsHandler } from './authorization-events.handler';
import { AuthorizationsController } from './authorizations.controller';

/** Link with Amazon: the consent URL, Amazon's callback, and the audit of each link. */
@Module({
  imports: [AccessModule],
  controllers: [AuthorizationsController],
  providers: [AuthorizationEventsHandler],
})
export class AuthorizationsModule {}
