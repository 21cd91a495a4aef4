import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { queueNameOf, SANDBOX_AWS_ACCOUNT, SqsError, SqsStore } from './sqs.store';

type Input = Record<string, unknown>;

/** Long polling waits at most 20 s on SQS; more is refused. */
const MAX_WAIT_SECONDS = 20;

/**
 * Amazon SQS's JSON protocol (AWS JSON 1.0: `POST /`, `X-Amz-Target: AmazonSQS.<Action>`), the
 * subset @aws-sdk/client-sqs sends for the connector and its tests. Signatures are not checked:
 * the sandbox takes any AWS credentials.
 */
@Controller()
export class SqsController {
  constructor(private readonly queues: SqsStore) {}

  @Post()
  @HttpCode(200)
  async action(@Headers('x-amz-target') target: string | undefined, @Body() body: Input | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.type('application/x-amz-json-1.0');
    try {
      const input = body && typeof body === 'object' ? body : {};
      res.status(200).send(JSON.stringify(await this.run(target ?? '', input, req)));
    } catch (err) {
      const error = err instanceof SqsError ? err : new SqsError('com.amazonaws.sqs#InternalError', (err as Error).message, 500);
      res.status(error.status).send(JSON.stringify({ __type: error.type, message: error.message }));
    }
  }

  private async run(target: string, input: Input, req: Request): Promise<unknown> {
    switch (target) {
      case 'AmazonSQS.ReceiveMessage': {
        const max = integer(input.MaxNumberOfMessages, 1, 1, 10, 'MaxNumberOfMessages');
        const wait = integer(input.WaitTimeSeconds, 0, 0, MAX_WAIT_SECONDS, 'WaitTimeSeconds');
        const visibility = input.VisibilityTimeout === undefined ? undefined : integer(input.VisibilityTimeout, 30, 0, 43200, 'VisibilityTimeout');
        const messages = await this.queues.receive(this.queueName(input), max, wait, visibility);
        return messages.length ? { Messages: messages } : {};
      }
      case 'AmazonSQS.DeleteMessageBatch': {
        const name = this.queueName(input);
        const entries = Array.isArray(input.Entries) ? (input.Entries as { Id?: string; ReceiptHandle?: string }[]) : [];
        if (!entries.length) throw new SqsError('com.amazonaws.sqs#EmptyBatchRequest', 'There should be at least one DeleteMessageBatchRequestEntry in the request.');
        if (entries.length > 10) throw new SqsError('com.amazonaws.sqs#TooManyEntriesInBatchRequest', 'Maximum number of entries per request are 10.');
        const Successful: { Id: string }[] = [];
        const Failed: { Id: string; SenderFault: boolean; Code: string; Message: string }[] = [];
        for (const entry of entries) {
          if (entry.ReceiptHandle && this.queues.deleteMessage(name, entry.ReceiptHandle)) Successful.push({ Id: String(entry.Id) });
          else Failed.push({ Id: String(entry.Id), SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'The receipt handle is not valid (or the message was received again since).' });
        }
        return { Successful, Failed };
      }
      case 'AmazonSQS.DeleteMessage': {
        if (!this.queues.deleteMessage(this.queueName(input), String(input.ReceiptHandle))) throw new SqsError('com.amazonaws.sqs#ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        return {};
      }
      case 'AmazonSQS.ChangeMessageVisibility': {
        const ok = this.queues.changeVisibility(this.queueName(input), String(input.ReceiptHandle), integer(input.VisibilityTimeout, 30, 0, 43200, 'VisibilityTimeout'));
        if (!ok) throw new SqsError('com.amazonaws.sqs#ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        return {};
      }
      case 'AmazonSQS.SendMessage': {
        if (typeof input.MessageBody !== 'string' || !input.MessageBody) throw new SqsError('com.amazonaws.sqs#MissingParameter', 'The request must contain the parameter MessageBody.');
        const name = this.queueName(input);
        const MessageId = this.queues.send(name, input.MessageBody);
        return { MessageId, MD5OfMessageBody: createHash('md5').update(input.MessageBody, 'utf8').digest('hex') };
      }
      case 'AmazonSQS.GetQueueAttributes':
        return { Attributes: this.queues.attributes(this.queueName(input)) };
      case 'AmazonSQS.GetQueueUrl': {
        const name = String(input.QueueName ?? '');
        this.queues.settings(name);
        return { QueueUrl: queueUrl(req, name) };
      }
      case 'AmazonSQS.CreateQueue': {
        const name = String(input.QueueName ?? '');
        if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new SqsError('com.amazonaws.sqs#InvalidParameterValue', 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
        const attributes = (input.Attributes ?? {}) as Record<string, string>;
        const redrive = attributes.RedrivePolicy ? (JSON.parse(attributes.RedrivePolicy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string }) : undefined;
        this.queues.upsert({
          name,
          visibilityTimeoutSeconds: attributes.VisibilityTimeout ? Number(attributes.VisibilityTimeout) : 30,
          deadLetterQueue: redrive?.deadLetterTargetArn ? queueNameOf(redrive.deadLetterTargetArn) : undefined,
          maxReceiveCount: redrive?.maxReceiveCount ? Number(redrive.maxReceiveCount) : undefined,
        });
        return { QueueUrl: queueUrl(req, name) };
      }
      default:
        throw new SqsError('com.amazonaws.sqs#InvalidAction', `The action ${target || '(none)'} is not valid for this endpoint.`);
    }
  }

  private queueName(input: Input): string {
    const name = typeof input.QueueUrl === 'string' ? queueNameOf(input.QueueUrl) : undefined;
    if (!name) throw new SqsError('com.amazonaws.sqs#MissingParameter', 'The request must contain the parameter QueueUrl.');
    return name;
  }
}

function integer(value: unknown, fallback: number, min: number, max: number, name: string): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new SqsError('com.amazonaws.sqs#InvalidParameterValue', `Value ${String(value)} for parameter ${name} is invalid. Must be between ${min} and ${max}.`);
  return n;
}

export function queueUrl(req: Request, name: string): string {
  return `${req.protocol}://${req.get('host')}/${SANDBOX_AWS_ACCOUNT}/${name}`;
}
