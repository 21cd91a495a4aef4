import { ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

/** The sandbox's SQS as @aws-sdk/client-sqs sees it, its Notifications API, and ORDER_CHANGE on an order's change. */
describe('sandbox SQS and Notifications API', () => {
  let sb: SandboxTestClient;
  let sqs: SQSClient;
  let seller: TestSeller;
  const queueUrl = () => `${sb.baseUrl}/000000000000/changes`;

  beforeAll(async () => {
    sb = await SandboxTestClient.start();
    sqs = new SQSClient({ region: 'us-east-1', endpoint: sb.baseUrl, credentials: { accessKeyId: 'any', secretAccessKey: 'any' }, maxAttempts: 1 });
    seller = await sb.seedSeller();
  });
  afterAll(async () => {
    sqs.destroy();
    await sb.close();
  });
  beforeEach(async () => {
    expect((await sb.request('POST', '/_sandbox/sqs/queues', { body: { name: 'changes', visibilityTimeoutSeconds: 30, deadLetterQueue: 'changes-dlq', maxReceiveCount: 2 } })).status).toBe(201);
  });

  it('receives with long polling (a message sent while waiting ends the wait), deletes in a batch, checks the body MD5', async () => {
    const started = Date.now();
    const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: '{"a":1}' }));
    const { Messages } = await waiting;
    expect(Date.now() - started).toBeLessThan(4000);
    expect(Messages).toHaveLength(1);
    expect(Messages![0].Body).toBe('{"a":1}');
    const deleted = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl(), Entries: [{ Id: 'x', ReceiptHandle: Messages![0].ReceiptHandle }, { Id: 'y', ReceiptHandle: 'unknown' }] }));
    expect(deleted.Successful).toEqual([{ Id: 'x' }]);
    expect(deleted.Failed).toEqual([expect.objectContaining({ Id: 'y', Code: 'ReceiptHandleIsInvalid' })]);
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), WaitTimeSeconds: 0 }));
    expect(empty.Messages ?? []).toHaveLength(0);
  });

  it('hides a received message for its visibility timeout, counts receives and redrives to the dead-letter queue', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: 'poison' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(first.Messages![0].Attributes).toMatchObject({ ApproximateReceiveCount: '1' });
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl() }))).Messages ?? []).toHaveLength(0);
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl(), ReceiptHandle: first.Messages![0].ReceiptHandle, VisibilityTimeout: 0 }));
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), VisibilityTimeout: 0, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    expect(second.Messages![0].Attributes).toMatchObject({ ApproximateReceiveCount: '2' });
    // Received maxReceiveCount times and not deleted: the next receive moves it to the dead-letter queue.
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl() }))).Messages ?? []).toHaveLength(0);
    const dlq = await sb.request('GET', '/_sandbox/sqs/queues/changes-dlq');
    expect(dlq.body.messages).toEqual([expect.objectContaining({ body: 'poison', receiveCount: 2 })]);
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl(), AttributeNames: ['All'] }));
    expect(JSON.parse(attributes.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:changes-dlq', maxReceiveCount: 2 });
  });

  it('answers QueueDoesNotExist for an unknown queue', async () => {
    await expect(sqs.send(new ReceiveMessageCommand({ QueueUrl: `${sb.baseUrl}/000000000000/nope` }))).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });

  it('makes destinations with a grantless token only, subscriptions with the seller token only (409 for a second), and sends ORDER_CHANGE when the order changes', async () => {
    const grantless = await sb.request('POST', '/auth/o2/token', { form: { grant_type: 'client_credentials', scope: 'sellingpartnerapi::notifications', client_id: seller.clientId, client_secret: seller.clientSecret } });
    expect(grantless.status).toBe(200);
    expect(grantless.body).toMatchObject({ access_token: expect.any(String), scope: 'sellingpartnerapi::notifications', token_type: 'bearer' });
    const badScope = await sb.request('POST', '/auth/o2/token', { form: { grant_type: 'client_credentials', scope: 'other', client_id: seller.clientId, client_secret: seller.clientSecret } });
    expect(badScope.body.error).toBe('invalid_scope');
    const sellerToken = await sb.accessToken(seller);
    const arn = 'arn:aws:sqs:us-east-1:000000000000:changes';
    const destinationBody = { name: 'connector', resourceSpecification: { sqs: { arn } } };
    expect((await sb.request('POST', '/notifications/v1/destinations', { token: sellerToken, body: destinationBody })).status).toBe(403);
    const destination = await sb.request('POST', '/notifications/v1/destinations', { token: grantless.body.access_token, body: destinationBody });
    expect(destination.status).toBe(200);
    expect((await sb.request('POST', '/notifications/v1/destinations', { token: grantless.body.access_token, body: destinationBody })).status).toBe(409);
    const { destinationId } = destination.body.payload;
    expect((await sb.request('GET', '/notifications/v1/destinations', { token: grantless.body.access_token })).body.payload).toEqual([{ destinationId, name: 'connector', resource: { sqs: { arn } } }]);

    expect((await sb.request('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', { token: grantless.body.access_token, body: { payloadVersion: '1.0', destinationId } })).status).toBe(403);
    expect((await sb.request('GET', '/notifications/v1/subscriptions/ORDER_CHANGE', { token: sellerToken })).status).toBe(404);
    const subscription = await sb.request('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', { token: sellerToken, body: { payloadVersion: '1.0', destinationId } });
    expect(subscription.status).toBe(200);
    expect((await sb.request('POST', '/notifications/v1/subscriptions/ORDER_CHANGE', { token: sellerToken, body: { payloadVersion: '1.0', destinationId } })).status).toBe(409);
    expect((await sb.request('GET', '/notifications/v1/subscriptions/ORDER_CHANGE', { token: sellerToken })).body.payload).toEqual(subscription.body.payload);

    const [orderId] = await sb.generate(seller.sellerId, { count: 1, statuses: ['UNSHIPPED'], fulfilledBy: 'MERCHANT' });
    expect((await sb.request('POST', `/_sandbox/orders/${orderId}/status`, { body: { status: 'CANCELLED', cancelledBy: 'BUYER' } })).status).toBe(200);
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), WaitTimeSeconds: 5 }));
    const notification = JSON.parse(Messages![0].Body!);
    expect(notification).toMatchObject({
      NotificationVersion: '1.0',
      NotificationType: 'ORDER_CHANGE',
      PayloadVersion: '1.0',
      Payload: { OrderChangeNotification: { SellerId: seller.sellerId, AmazonOrderId: orderId, Summary: { OrderStatus: 'Canceled', FulfillmentType: 'MFN' } } },
      NotificationMetadata: { SubscriptionId: subscription.body.payload.subscriptionId, NotificationId: expect.any(String) },
    });
  });

  describe('as unforgiving as Amazon when asked (duplicates, out of order, getOrder lagging)', () => {
    let token: string;
    const receiveAll = async (count: number) => {
      const bodies: any[] = [];
      while (bodies.length < count) {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), WaitTimeSeconds: 5, MaxNumberOfMessages: 10 }));
        if (!Messages?.length) break;
        bodies.push(...Messages.map((m) => JSON.parse(m.Body!)));
      }
      return bodies;
    };
    /** What earlier tests left on the queue. */
    const drain = async () => {
      for (;;) {
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl(), WaitTimeSeconds: 0, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
        if (!Messages?.length) return;
      }
    };

    beforeAll(async () => {
      // The subscription of the test above sends this seller's ORDER_CHANGE to the queue.
      token = await sb.accessToken(seller);
    });
    afterEach(async () => {
      await sb.request('POST', '/_sandbox/notifications/delivery', { body: { duplicates: false, outOfOrder: false, getOrderLagSeconds: 0 } });
    });

    it('says which fields are wrong', async () => {
      const bad = await sb.request('POST', '/_sandbox/notifications/delivery', { body: { duplicates: 'yes', getOrderLagSeconds: -1 } });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(['duplicates must be true or false', 'getOrderLagSeconds must be a number 0..3600']);
    });

    it('a buyer cancellation request is a BuyerRequestedChange; a cancelled order an OrderStatusChange', async () => {
      await drain();
      const [orderId] = await sb.generate(seller.sellerId, { count: 1, statuses: ['UNSHIPPED'], fulfilledBy: 'MERCHANT' });
      expect((await sb.request('POST', `/_sandbox/orders/${orderId}/buyer-cancel-request`, { body: {} })).status).toBeLessThan(300);
      const [request] = await receiveAll(1);
      expect(request.Payload.OrderChangeNotification).toMatchObject({ OrderChangeType: 'BuyerRequestedChange', OrderChangeTrigger: { ChangeReason: 'Buyer Requested Cancel' }, Summary: { OrderStatus: 'Unshipped' } });
      expect((await sb.request('POST', `/_sandbox/orders/${orderId}/status`, { body: { status: 'CANCELLED', cancelledBy: 'BUYER' } })).status).toBe(200);
      const [cancelled] = await receiveAll(1);
      expect(cancelled.Payload.OrderChangeNotification).toMatchObject({ OrderChangeType: 'OrderStatusChange', OrderChangeTrigger: { ChangeReason: 'Order Canceled' }, Summary: { OrderStatus: 'Canceled' } });
    });

    it('sends each notification twice, and each after the next, when asked', async () => {
      await drain();
      const [first, second] = await sb.generate(seller.sellerId, { count: 2, statuses: ['UNSHIPPED'], fulfilledBy: 'MERCHANT' });
      expect((await sb.request('POST', '/_sandbox/notifications/delivery', { body: { duplicates: true, outOfOrder: true } })).body).toEqual({ duplicates: true, outOfOrder: true, getOrderLagSeconds: 0 });
      expect((await sb.request('POST', `/_sandbox/orders/${first}/buyer-cancel-request`, { body: {} })).status).toBeLessThan(300);
      // Held back until the next change (here, another order's) overtakes it.
      expect((await sb.request('POST', `/_sandbox/orders/${second}/buyer-cancel-request`, { body: {} })).status).toBeLessThan(300);
      const bodies = await receiveAll(4);
      expect(bodies.map((b) => b.Payload.OrderChangeNotification.AmazonOrderId)).toEqual([second, second, first, first]);
      expect(new Set(bodies.map((b) => b.NotificationMetadata.NotificationId)).size).toBe(2);
    });

    it('getOrder shows an order as it was before a change for the lag, then as it is', async () => {
      await drain();
      const [orderId] = await sb.generate(seller.sellerId, { count: 1, statuses: ['UNSHIPPED'], fulfilledBy: 'MERCHANT' });
      const before = (await sb.request('GET', `/orders/v0/orders/${orderId}`, { token })).body.payload;
      expect((await sb.request('POST', '/_sandbox/notifications/delivery', { body: { getOrderLagSeconds: 2 } })).body.getOrderLagSeconds).toBe(2);
      expect((await sb.request('POST', `/_sandbox/orders/${orderId}/status`, { body: { status: 'CANCELLED', cancelledBy: 'MERCHANT' } })).status).toBe(200);
      const [notification] = await receiveAll(1);
      const changedAt = notification.Payload.OrderChangeNotification.OrderChangeTrigger.TimeOfOrderChange;
      const lagging = (await sb.request('GET', `/orders/v0/orders/${orderId}`, { token })).body.payload;
      expect(lagging).toMatchObject({ OrderStatus: 'Unshipped', LastUpdateDate: before.LastUpdateDate });
      expect(Date.parse(lagging.LastUpdateDate)).toBeLessThan(Date.parse(changedAt));
      let now: any;
      const deadline = Date.now() + 10_000;
      do {
        now = (await sb.request('GET', `/orders/v0/orders/${orderId}`, { token })).body.payload;
        if (now.OrderStatus === 'Canceled') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      } while (Date.now() < deadline);
      expect(now).toMatchObject({ OrderStatus: 'Canceled' });
    });
  });
});
