import { Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { SandboxClock } from '../store/sandbox-clock';

/** The account id in the sandbox's queue URLs and ARNs (Amazon's are the queue owner's AWS account). */
export const SANDBOX_AWS_ACCOUNT = '000000000000';
export const SANDBOX_AWS_REGION = 'us-east-1';

export interface QueueSettings {
  name: string;
  /** How long a received message stays hidden before it may be received again (sandbox clock). */
  visibilityTimeoutSeconds: number;
  /** The queue's redrive policy: after this many receives a message goes to the dead-letter queue. */
  deadLetterQueue?: string;
  maxReceiveCount?: number;
}

interface QueuedMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  sentAtMs: number;
  receiveCount: number;
  firstReceivedAtMs?: number;
  /** Hidden until then (sandbox clock); 0: visible. */
  invisibleUntilMs: number;
  /** The receipt handle of the latest receive: only it deletes the message or changes its visibility. */
  receiptHandle?: string;
}

interface Queue extends QueueSettings {
  messages: QueuedMessage[];
}

export interface ReceivedMessage {
  MessageId: string;
  ReceiptHandle: string;
  MD5OfBody: string;
  Body: string;
  Attributes: Record<string, string>;
}

export class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * Amazon SQS as far as the connector uses it: standard queues (at-least-once, no order), a
 * visibility timeout per receive, the receive count, and redrive to a dead-letter queue once a
 * message was received maxReceiveCount times without being deleted. Long polling waits for a
 * message (real time, at most the wait asked for).
 */
@Injectable()
export class SqsStore {
  private readonly queues = new Map<string, Queue>();
  private waiters: { queue: string; wake: () => void }[] = [];

  constructor(private readonly clock: SandboxClock) {}

  reset(): void {
    this.queues.clear();
    for (const waiter of this.waiters.splice(0)) waiter.wake();
  }

  /** Makes (or reconfigures) a queue; a dead-letter queue it names is made too. Keeps its messages. */
  upsert(settings: QueueSettings): QueueSettings {
    if (settings.deadLetterQueue && !this.queues.has(settings.deadLetterQueue)) this.upsert({ name: settings.deadLetterQueue, visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds });
    const existing = this.queues.get(settings.name);
    const queue: Queue = { ...settings, messages: existing?.messages ?? [] };
    this.queues.set(settings.name, queue);
    return this.settingsOf(queue);
  }

  has(name: string): boolean {
    return this.queues.has(name);
  }

  settings(name: string): QueueSettings {
    return this.settingsOf(this.queue(name));
  }

  send(name: string, body: string): string {
    const queue = this.queue(name);
    const message: QueuedMessage = { messageId: randomUUID(), body, md5OfBody: md5(body), sentAtMs: this.clock.nowMs(), receiveCount: 0, invisibleUntilMs: 0 };
    queue.messages.push(message);
    this.wake(name);
    return message.messageId;
  }

  /** ReceiveMessage: up to `max` visible messages, waiting up to `waitSeconds` (real time) for the first. */
  async receive(name: string, max: number, waitSeconds: number, visibilityTimeoutSeconds?: number): Promise<ReceivedMessage[]> {
    const deadline = Date.now() + waitSeconds * 1000;
    for (;;) {
      const received = this.take(name, max, visibilityTimeoutSeconds);
      if (received.length || Date.now() >= deadline) return received;
      await this.waitForMessage(name, Math.min(deadline - Date.now(), this.nextVisibleInRealMs(name)));
    }
  }

  deleteMessage(name: string, receiptHandle: string): boolean {
    const queue = this.queue(name);
    const index = queue.messages.findIndex((m) => m.receiptHandle === receiptHandle);
    // SQS answers success for a handle whose message is already gone; an unknown handle is an error.
    if (index < 0) return false;
    queue.messages.splice(index, 1);
    return true;
  }

  changeVisibility(name: string, receiptHandle: string, visibilityTimeoutSeconds: number): boolean {
    const message = this.queue(name).messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message) return false;
    message.invisibleUntilMs = this.clock.nowMs() + visibilityTimeoutSeconds * 1000;
    if (visibilityTimeoutSeconds === 0) this.wake(name);
    return true;
  }

  /** What a queue holds, for the control API: counts and the bodies (tests look into the dead-letter queue). */
  contents(name: string) {
    const queue = this.queue(name);
    const now = this.clock.nowMs();
    return {
      ...this.settingsOf(queue),
      visible: queue.messages.filter((m) => m.invisibleUntilMs <= now).length,
      inFlight: queue.messages.filter((m) => m.invisibleUntilMs > now).length,
      messages: queue.messages.map((m) => ({ messageId: m.messageId, receiveCount: m.receiveCount, body: m.body })),
    };
  }

  attributes(name: string): Record<string, string> {
    const queue = this.queue(name);
    const now = this.clock.nowMs();
    const attributes: Record<string, string> = {
      QueueArn: queueArn(name),
      VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
      ApproximateNumberOfMessages: String(queue.messages.filter((m) => m.invisibleUntilMs <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((m) => m.invisibleUntilMs > now).length),
    };
    if (queue.deadLetterQueue) attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: queueArn(queue.deadLetterQueue), maxReceiveCount: queue.maxReceiveCount ?? 10 });
    return attributes;
  }

  private take(name: string, max: number, visibilityTimeoutSeconds?: number): ReceivedMessage[] {
    const queue = this.queue(name);
    const now = this.clock.nowMs();
    const out: ReceivedMessage[] = [];
    for (const message of [...queue.messages]) {
      if (out.length >= max) break;
      if (message.invisibleUntilMs > now) continue;
      // Redrive: a message received maxReceiveCount times and still there goes to the dead-letter queue instead.
      if (queue.deadLetterQueue && message.receiveCount >= (queue.maxReceiveCount ?? 10)) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        const dlq = this.queue(queue.deadLetterQueue);
        dlq.messages.push({ ...message, receiptHandle: undefined, invisibleUntilMs: 0 });
        continue;
      }
      message.receiveCount++;
      message.firstReceivedAtMs ??= now;
      message.receiptHandle = randomUUID();
      message.invisibleUntilMs = now + (visibilityTimeoutSeconds ?? queue.visibilityTimeoutSeconds) * 1000;
      out.push({
        MessageId: message.messageId,
        ReceiptHandle: message.receiptHandle,
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        Attributes: {
          ApproximateReceiveCount: String(message.receiveCount),
          SentTimestamp: String(message.sentAtMs),
          ApproximateFirstReceiveTimestamp: String(message.firstReceivedAtMs),
        },
      });
    }
    return out;
  }

  /** Real milliseconds until the next hidden message shows again (the sandbox clock may run faster). */
  private nextVisibleInRealMs(name: string): number {
    const now = this.clock.nowMs();
    const hidden = this.queue(name).messages.filter((m) => m.invisibleUntilMs > now).map((m) => m.invisibleUntilMs - now);
    if (!hidden.length) return Number.POSITIVE_INFINITY;
    return Math.max(5, Math.min(...hidden) / this.clock.timeScale);
  }

  private waitForMessage(name: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = { queue: name, wake: () => done() };
      const timer = setTimeout(() => done(), Math.max(0, ms));
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  private wake(name: string): void {
    for (const waiter of this.waiters.filter((w) => w.queue === name)) waiter.wake();
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new SqsError('com.amazonaws.sqs#QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  }

  private settingsOf(queue: Queue): QueueSettings {
    const { messages: _messages, ...settings } = queue;
    return settings;
  }
}

export function queueArn(name: string): string {
  return `arn:aws:sqs:${SANDBOX_AWS_REGION}:${SANDBOX_AWS_ACCOUNT}:${name}`;
}

/** The queue name of an SQS ARN (arn:aws:sqs:<region>:<account>:<name>) or queue URL (…/<account>/<name>). */
export function queueNameOf(arnOrUrl: string): string | undefined {
  const arn = /^arn:aws:sqs:[^:]+:[^:]+:([^:/]+)$/.exec(arnOrUrl);
  if (arn) return arn[1];
  const url = /\/[^/]+\/([^/?#]+)\/?$/.exec(arnOrUrl);
  return url?.[1];
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}
