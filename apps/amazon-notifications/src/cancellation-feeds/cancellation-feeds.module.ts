import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { CancellationFeedPoller } from './cancellation-feed-poller';
import { CancellationFeedSubmitter } from './cancellation-feed-submitter';
import { CancellationSender } from './cancellation-sender';

@Module({
  imports: [NotificationsModule],
  providers: [CancellationSender, CancellationFeedSubmitter, CancellationFeedPoller],
})
export class CancellationFeedsModule {}
