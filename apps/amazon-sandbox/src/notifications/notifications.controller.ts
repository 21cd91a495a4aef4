import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { AmazonApiError } from '../sp-api/amazon-error';
import { SpApiOperationName, type SpApiRequest } from '../sp-api/sp-api-operation.decorator';
import { SqsStore, queueNameOf } from '../sqs/sqs.store';
import { Destination, NotificationStore, Subscription } from './notification.store';

/** Notification types the sandbox sends. */
export const SUPPORTED_NOTIFICATION_TYPES = ['ORDER_CHANGE'];

/** What the sandbox makes of a destination's queue it does not have yet (a real one is made by the seller in AWS). */
export const DEFAULT_QUEUE = { visibilityTimeoutSeconds: 30, maxReceiveCount: 3 };

function conflict(message: string): AmazonApiError {
  return new AmazonApiError(409, [{ code: 'Conflict', message, details: '' }]);
}

/**
 * Notifications API v1, the part the connector uses: destinations (grantless: the application's
 * own, LWA client_credentials with the notifications scope) and subscriptions (the seller's
 * token: one per application, seller and notification type). Usage plans: 1 rps, burst 5 each.
 */
@Controller('notifications/v1')
export class NotificationsController {
  constructor(
    private readonly store: NotificationStore,
    private readonly queues: SqsStore,
  ) {}

  @Post('destinations')
  @HttpCode(200)
  @SpApiOperationName('createDestination')
  createDestination(@Req() req: SpApiRequest, @Body() body: { name?: unknown; resourceSpecification?: { sqs?: { arn?: unknown } } } | undefined) {
    const name = body?.name;
    const arn = body?.resourceSpecification?.sqs?.arn;
    if (typeof name !== 'string' || !name || name.length > 256) throw AmazonApiError.invalidInput('name is required (at most 256 characters)');
    if (typeof arn !== 'string' || !/^arn:aws:sqs:\S+:\S+:\S+$/.test(arn)) throw AmazonApiError.invalidInput('resourceSpecification.sqs.arn must be an SQS queue ARN');
    const queue = queueNameOf(arn)!;
    // Amazon checks it may send to the queue (its policy); the sandbox makes a queue it does not have.
    if (!this.queues.has(queue)) this.queues.upsert({ name: queue, visibilityTimeoutSeconds: DEFAULT_QUEUE.visibilityTimeoutSeconds, deadLetterQueue: `${queue}-dlq`, maxReceiveCount: DEFAULT_QUEUE.maxReceiveCount });
    const created = this.store.createDestination(req.clientId!, name, arn);
    if (created === 'conflict') throw conflict('A destination for this resource already exists for this application.');
    return { payload: destinationView(created) };
  }

  @Get('destinations')
  @SpApiOperationName('getDestinations')
  getDestinations(@Req() req: SpApiRequest) {
    return { payload: this.store.destinationsOf(req.clientId!).map(destinationView) };
  }

  @Post('subscriptions/:notificationType')
  @HttpCode(200)
  @SpApiOperationName('createSubscription')
  createSubscription(@Req() req: SpApiRequest, @Param('notificationType') notificationType: string, @Body() body: { payloadVersion?: unknown; destinationId?: unknown } | undefined) {
    this.assertType(notificationType);
    if (typeof body?.payloadVersion !== 'string' || body.payloadVersion !== '1.0') throw AmazonApiError.invalidInput('payloadVersion must be 1.0');
    const destination = typeof body.destinationId === 'string' ? this.store.destination(body.destinationId) : undefined;
    if (!destination || destination.clientId !== req.clientId) throw AmazonApiError.invalidInput('destinationId is not a destination of this application');
    const created = this.store.createSubscription({ notificationType, payloadVersion: body.payloadVersion, destinationId: destination.destinationId, clientId: req.clientId!, sellerId: req.sellerId, createdAtMs: Date.now() });
    if (created === 'conflict') throw conflict('Subscription for specified notification type and destination exists.');
    return { payload: subscriptionView(created) };
  }

  @Get('subscriptions/:notificationType')
  @SpApiOperationName('getSubscription')
  getSubscription(@Req() req: SpApiRequest, @Param('notificationType') notificationType: string) {
    this.assertType(notificationType);
    const subscription = this.store.subscription(req.clientId!, req.sellerId, notificationType);
    if (!subscription) throw AmazonApiError.notFound(`No subscription of type ${notificationType} for this seller and application.`);
    return { payload: subscriptionView(subscription) };
  }

  /** Grantless: any subscription of the application; Amazon answers an empty payload. */
  @Delete('subscriptions/:notificationType/:subscriptionId')
  @SpApiOperationName('deleteSubscriptionById')
  deleteSubscriptionById(@Req() req: SpApiRequest, @Param('notificationType') notificationType: string, @Param('subscriptionId') subscriptionId: string) {
    this.assertType(notificationType);
    if (!this.store.deleteSubscription(req.clientId!, notificationType, subscriptionId)) throw AmazonApiError.notFound(`No subscription ${subscriptionId} of type ${notificationType} for this application.`);
    return {};
  }

  private assertType(notificationType: string): void {
    if (!SUPPORTED_NOTIFICATION_TYPES.includes(notificationType)) throw AmazonApiError.invalidInput(`notificationType ${notificationType} is not one the sandbox supports (${SUPPORTED_NOTIFICATION_TYPES.join(', ')})`);
  }
}

function destinationView(d: Destination) {
  return { destinationId: d.destinationId, name: d.name, resource: { sqs: { arn: d.arn } } };
}

function subscriptionView(s: Subscription) {
  return { subscriptionId: s.subscriptionId, payloadVersion: s.payloadVersion, destinationId: s.destinationId };
}
