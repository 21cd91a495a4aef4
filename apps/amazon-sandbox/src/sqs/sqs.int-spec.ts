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
});
