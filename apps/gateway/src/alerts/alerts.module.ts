import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GatewayHealthModule } from '../health/health.module';
import { AlertDelivery } from './alert-delivery.entity';
import { AlertDeliveryMetrics } from './alert-delivery.metrics';
import { AlertEventsHandler } from './alert-events.handler';
import { AlertSender } from './alert-sender';
import { AlertWebhook } from './alert-webhook.entity';
import { AlertSenderKick, AlertWebhooksService } from './alert-webhooks.service';
import { AlertWebhooksController } from './alert-webhooks.controller';
import { ServiceReadinessWatch } from './service-readiness.watch';

/**
 * Alert webhooks end to end: subscriptions, the `alert.raised` events of the services (and the
 * gateway's own readiness watch) fanned out into deliveries, and the sender that POSTs them.
 */
@Module({
  imports: [TypeOrmModule.forFeature([AlertWebhook, AlertDelivery]), GatewayHealthModule],
  controllers: [AlertWebhooksController],
  providers: [AlertSender, { provide: AlertSenderKick, useExisting: AlertSender }, AlertWebhooksService, AlertEventsHandler, ServiceReadinessWatch, AlertDeliveryMetrics],
  exports: [AlertWebhooksService, AlertSender],
})
export class AlertsModule {}
