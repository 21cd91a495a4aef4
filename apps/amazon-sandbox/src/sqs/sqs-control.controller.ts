import { BadRequestException, Body, Controller, Get, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { NotificationStore } from '../notifications/notification.store';
import { OrderChangeEmitter } from '../notifications/order-change.emitter';
import { OrderStore } from '../store/order.store';
import { queueArn, SqsError, SqsStore } from './sqs.store';

/**
 * Control API of the sandbox's SQS and Notifications API: make and configure a queue (visibility
 * timeout, redrive to a dead-letter queue), put a message on it as Amazon would (a duplicate, an
 * old one), look into it (the dead-letter queue), list subscriptions and the notifications sent,
 * and make delivery as unforgiving as Amazon's (duplicates, out of order, getOrder lagging).
 */
@Controller('_sandbox')
export class SqsControlController {
  constructor(
    private readonly queues: SqsStore,
    private readonly notifications: NotificationStore,
    private readonly emitter: OrderChangeEmitter,
    private readonly orders: OrderStore,
  ) {}

  @Post('sqs/queues')
  upsertQueue(@Body() body: { name?: unknown; visibilityTimeoutSeconds?: unknown; deadLetterQueue?: unknown; maxReceiveCount?: unknown }) {
    const errors: string[] = [];
    const name = body?.name;
    if (typeof name !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(name)) errors.push('name must be 1-80 letters, digits, hyphens or underscores');
    const visibility = body?.visibilityTimeoutSeconds ?? 30;
    if (typeof visibility !== 'number' || !Number.isInteger(visibility) || visibility < 0 || visibility > 43200) errors.push('visibilityTimeoutSeconds must be an integer 0..43200');
    const dlq = body?.deadLetterQueue;
    if (dlq !== undefined && (typeof dlq !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(dlq))) errors.push('deadLetterQueue must be a queue name');
    const maxReceiveCount = body?.maxReceiveCount;
    if (maxReceiveCount !== undefined && (typeof maxReceiveCount !== 'number' || !Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)) errors.push('maxReceiveCount must be an integer 1..1000');
    if (errors.length) throw new BadRequestException(errors);
    const settings = this.queues.upsert({ name: name as string, visibilityTimeoutSeconds: visibility as number, deadLetterQueue: dlq as string | undefined, maxReceiveCount: maxReceiveCount as number | undefined });
    return { ...settings, arn: queueArn(settings.name) };
  }

  @Get('sqs/queues/:name')
  queue(@Param('name') name: string) {
    return this.known(() => this.queues.contents(name));
  }

  @Post('sqs/queues/:name/messages')
  send(@Param('name') name: string, @Body() body: { body?: unknown }) {
    if (typeof body?.body !== 'string' || !body.body) throw new BadRequestException(['body must be the message body, a non-empty string']);
    return this.known(() => ({ messageId: this.queues.send(name, body.body as string) }));
  }

  @Get('notifications/subscriptions')
  subscriptions() {
    return { subscriptions: this.notifications.allSubscriptions().map(({ clientId: _clientId, ...s }) => s) };
  }

  /**
   * How the sandbox delivers notifications and answers getOrder, less forgiving than by default as
   * Amazon is: `duplicates` (each sent twice), `outOfOrder` (each after the next), and
   * `getOrderLagSeconds` (getOrder shows an order as it was before a change for this long after it).
   */
  @Post('notifications/delivery')
  delivery(@Body() body: { duplicates?: unknown; outOfOrder?: unknown; getOrderLagSeconds?: unknown }) {
    const errors: string[] = [];
    for (const field of ['duplicates', 'outOfOrder'] as const) if (body?.[field] !== undefined && typeof body[field] !== 'boolean') errors.push(`${field} must be true or false`);
    const lag = body?.getOrderLagSeconds;
    if (lag !== undefined && (typeof lag !== 'number' || !Number.isFinite(lag) || lag < 0 || lag > 3600)) errors.push('getOrderLagSeconds must be a number 0..3600');
    if (errors.length) throw new BadRequestException(errors);
    if (lag !== undefined) this.orders.setGetOrderLag(lag as number);
    const delivery = this.emitter.setDelivery({
      ...(body.duplicates !== undefined ? { duplicates: body.duplicates as boolean } : {}),
      ...(body.outOfOrder !== undefined ? { outOfOrder: body.outOfOrder as boolean } : {}),
    });
    return { ...delivery, getOrderLagSeconds: this.orders.getOrderLagSeconds };
  }

  @Get('notifications/sent')
  sent(@Query('orderId') orderId?: string) {
    return { notifications: this.emitter.recent(orderId) };
  }

  private known<T>(read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (err instanceof SqsError) throw new NotFoundException(err.message);
      throw err;
    }
  }
}
