import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { ShipmentConfirmationSender } from './shipment-confirmation-sender';

@Module({
  imports: [NotificationsModule],
  providers: [ShipmentConfirmationSender],
})
export class ShipmentConfirmationsModule {}
