import { loadSettings } from '@connector/platform';
import { OrderIngestionSettings } from '../order-ingestion.settings';

const key = (byte: number) => `base64:${Buffer.alloc(32, byte).toString('base64')}`;

describe('order notification settings', () => {
  const production = { NODE_ENV: 'production', NATS_TOKEN: 't', CREDENTIALS_KEY: key(1), CREDENTIALS_TRANSIT_KEY: key(2), SPAPI_APP_ID: '', AUTHORIZATION_STATE_KEY: key(3) };
  const queue = { ORDER_NOTIFICATIONS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/order-changes', SQS_REGION: 'eu-west-1' };

  it('are off without a queue URL; with one, the ARN is made from the URL and region unless given', () => {
    expect(loadSettings(OrderIngestionSettings, {}).notificationsEnabled).toBe(false);
    const on = loadSettings(OrderIngestionSettings, queue);
    expect(on.notificationsEnabled).toBe(true);
    expect(on.notificationsQueueArn).toBe('arn:aws:sqs:eu-west-1:123456789012:order-changes');
    expect(loadSettings(OrderIngestionSettings, { ...queue, ORDER_NOTIFICATIONS_QUEUE_ARN: 'arn:aws:sqs:eu-west-1:999999999999:other' }).notificationsQueueArn).toBe('arn:aws:sqs:eu-west-1:999999999999:other');
  });

  it('takes the region from an AWS queue URL and refuses an SQS_REGION or ARN of another region', () => {
    const url = { ORDER_NOTIFICATIONS_QUEUE_URL: queue.ORDER_NOTIFICATIONS_QUEUE_URL };
    expect(loadSettings(OrderIngestionSettings, url).sqsRegion).toBe('eu-west-1');
    expect(loadSettings(OrderIngestionSettings, url).notificationsQueueArn).toBe('arn:aws:sqs:eu-west-1:123456789012:order-changes');
    expect(() => loadSettings(OrderIngestionSettings, { ...url, SQS_REGION: 'us-east-1' })).toThrow(/SQS_REGION \(us-east-1\) is not the region of ORDER_NOTIFICATIONS_QUEUE_URL \(eu-west-1\)/);
    expect(() => loadSettings(OrderIngestionSettings, { ...url, ORDER_NOTIFICATIONS_QUEUE_ARN: 'arn:aws:sqs:us-west-2:123456789012:order-changes' })).toThrow(/ORDER_NOTIFICATIONS_QUEUE_ARN names region us-west-2/);
    // A sandbox's URL names no region: SQS_REGION, else us-east-1.
    expect(loadSettings(OrderIngestionSettings, { ORDER_NOTIFICATIONS_QUEUE_URL: 'http://127.0.0.1:4500/000000000000/order-changes' }).sqsRegion).toBe('us-east-1');
    expect(loadSettings(OrderIngestionSettings, { ORDER_NOTIFICATIONS_QUEUE_URL: 'http://127.0.0.1:4500/000000000000/order-changes', SQS_REGION: 'eu-west-1' }).sqsRegion).toBe('eu-west-1');
  });

  it('refuses a queue URL or ARN that is not one, and half the credentials', () => {
    expect(() => loadSettings(OrderIngestionSettings, { ORDER_NOTIFICATIONS_QUEUE_URL: 'order-changes' })).toThrow(/ORDER_NOTIFICATIONS_QUEUE_URL must be an SQS queue URL/);
    expect(() => loadSettings(OrderIngestionSettings, { ORDER_NOTIFICATIONS_QUEUE_ARN: 'arn:aws:sns:x:y:z' })).toThrow(/ORDER_NOTIFICATIONS_QUEUE_ARN/);
    expect(() => loadSettings(OrderIngestionSettings, { SQS_ACCESS_KEY_ID: '' })).toThrow(/go together/);
  });

  it('in production, refuse the development AWS credentials and a sandbox queue while notifications are on', () => {
    expect(loadSettings(OrderIngestionSettings, production).notificationsEnabled).toBe(false);
    expect(() => loadSettings(OrderIngestionSettings, { ...production, ...queue })).toThrow(/SQS_ACCESS_KEY_ID and SQS_SECRET_ACCESS_KEY must be the reader's own/);
    const roles = { ...production, ...queue, SQS_ACCESS_KEY_ID: '', SQS_SECRET_ACCESS_KEY: '' };
    expect(loadSettings(OrderIngestionSettings, roles).notificationsEnabled).toBe(true);
    expect(() => loadSettings(OrderIngestionSettings, { ...roles, SQS_ENDPOINT: 'http://127.0.0.1:4500' })).toThrow(/must not name a sandbox/);
  });
});
