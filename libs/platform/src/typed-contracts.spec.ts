import { PATTERN_METADATA } from '@nestjs/microservices/constants';
import {
  CANCEL_ORDER,
  CancelOrderRequest,
  CancelReason,
  DELIVERY_CREATED,
  DeliveryCreatedEvent,
  GET_ORDER,
  IdRequest,
  LIST_ORDERS,
  ORDER_CANCELED,
  ORDER_SYNCED,
  OrderCanceledEvent,
  OrderSyncedEvent,
  Page,
  SalesOrderView,
} from '@connector/contracts';
import type { EventBatchContext, EventContext, EventHandlerMetadata } from '@connector/messaging';
import { ON_EVENT, OnEvent, OnEvents, Outbox, OutboxEvent } from '@connector/messaging';
import { dirname, resolve } from 'node:path';
import { defer, NEVER, of } from 'rxjs';
import * as ts from 'typescript';
import type { EntityManager } from 'typeorm';
import { HandlesRequest, ServiceClient } from './rpc';

const order = { id: 'o0', lines: [] } as unknown as SalesOrderView;
declare const canceled: OrderCanceledEvent;
declare const created: DeliveryCreatedEvent;

/** Handlers that match their contracts: these compile (and are what the run-time tests read). */
class MatchingHandlers {
  @HandlesRequest(GET_ORDER)
  get(request: IdRequest): Promise<SalesOrderView> {
    return Promise.resolve({ ...order, id: request.id });
  }

  @HandlesRequest(CANCEL_ORDER)
  cancel(request: CancelOrderRequest, ..._context: unknown[]): SalesOrderView {
    return { ...order, id: request.id, cancelReason: request.reason };
  }

  @OnEvent(ORDER_CANCELED)
  async onCanceled(_event: OrderCanceledEvent, _context: EventContext): Promise<void> {}

  @OnEvents(ORDER_SYNCED)
  async onSynced(_events: OrderSyncedEvent[], _context: EventBatchContext): Promise<void> {}
}

/**
 * Never run: the compiler reads it (the last test). Each line under a `@ts-expect-error` must
 * fail to compile, or the directive itself is an error.
 */
export function wrongShapesDoNotCompile(services: ServiceClient, outbox: Outbox, manager: EntityManager): void {
  const right: Promise<SalesOrderView> = services.request(GET_ORDER, { id: 'o1' });
  const page: Promise<Page<SalesOrderView>> = services.request(LIST_ORDERS, { limit: 10 });
  void right;
  void page;
  // @ts-expect-error the payload of another request
  void services.request(GET_ORDER, { reason: CancelReason.NoInventory });
  // @ts-expect-error a field the payload class does not have
  void services.request(GET_ORDER, { id: 'o1', accountId: 'a1' });
  // @ts-expect-error a payload is required
  void services.request(CANCEL_ORDER, { id: 'o1' });
  // @ts-expect-error a subject string is no contract
  void services.request('ingestion.orders.get.v1', { id: 'o1' });
  // @ts-expect-error an event is not asked
  void services.request(ORDER_CANCELED, canceled);
  // @ts-expect-error GET_ORDER answers one order, not a page
  const wrongReply: Promise<Page<SalesOrderView>> = services.request(GET_ORDER, { id: 'o1' });
  void wrongReply;

  // @ts-expect-error the payload of another event
  void outbox.add(manager, ORDER_CANCELED, created);
  // @ts-expect-error a subject string is no contract
  void outbox.add(manager, 'order.canceled.v1', canceled);
  // @ts-expect-error a delivery event without its delivery
  void OutboxEvent.of(DELIVERY_CREATED, { orderId: 'o1', accountId: 'a1' });
  // @ts-expect-error only OutboxEvent.of makes an outbox event
  void outbox.addMany(manager, [{ subject: DELIVERY_CREATED.subject, payload: created }]);

  class WrongHandlers {
    // @ts-expect-error takes the payload of another request
    @HandlesRequest(GET_ORDER)
    get(request: CancelOrderRequest): Promise<SalesOrderView> {
      return Promise.resolve({ ...order, id: request.id });
    }

    // @ts-expect-error answers a page where the contract answers one order
    @HandlesRequest(GET_ORDER)
    list(_request: IdRequest): Promise<Page<SalesOrderView>> {
      return Promise.resolve({ items: [] });
    }

    // @ts-expect-error takes another event
    @OnEvent(ORDER_CANCELED)
    async onCanceled(_event: DeliveryCreatedEvent, _context: EventContext): Promise<void> {}

    // @ts-expect-error a batch handler takes a list
    @OnEvents(ORDER_SYNCED)
    async onSynced(_event: OrderSyncedEvent, _context: EventBatchContext): Promise<void> {}
  }
  void WrongHandlers;
}

describe('typed message contracts', () => {
  it('answers a request on the subject of its contract', () => {
    expect(Reflect.getMetadata(PATTERN_METADATA, MatchingHandlers.prototype.get)).toEqual([GET_ORDER.subject]);
    expect(Reflect.getMetadata(PATTERN_METADATA, MatchingHandlers.prototype.cancel)).toEqual([CANCEL_ORDER.subject]);
  });

  it('handles an event on the subject of its contract, validated against its payload class', () => {
    expect(Reflect.getMetadata(ON_EVENT, MatchingHandlers.prototype.onCanceled)).toEqual({ subject: ORDER_CANCELED.subject, payloadClass: OrderCanceledEvent } satisfies EventHandlerMetadata);
    expect(Reflect.getMetadata(ON_EVENT, MatchingHandlers.prototype.onSynced)).toEqual({ subject: ORDER_SYNCED.subject, payloadClass: OrderSyncedEvent, batch: true } satisfies EventHandlerMetadata);
  });

  it('asks on the subject of the contract, and names it when no one answers', async () => {
    const sent: { subject: string; payload: unknown }[] = [];
    const answering = new ServiceClient({ send: (subject: string, payload: unknown) => (sent.push({ subject, payload }), of({ ...order, id: 'o1' })), close: () => undefined } as never);
    await expect(answering.request(GET_ORDER, { id: 'o1' })).resolves.toMatchObject({ id: 'o1' });
    expect(sent).toEqual([{ subject: GET_ORDER.subject, payload: { id: 'o1' } }]);
    const silent = new ServiceClient({ send: () => NEVER, close: () => undefined } as never);
    await expect(silent.request(GET_ORDER, { id: 'o1' }, 10)).rejects.toMatchObject({ body: { statusCode: 503, message: `no answer to ${GET_ORDER.subject} within 10 ms` } });
    // Nest's NATS client, while its connection is down, rejects with a bare string: an outage too.
    const disconnected = new ServiceClient({ send: () => defer(() => Promise.reject('Error: Connection lost. Trying to reconnect...')), close: () => undefined } as never);
    await expect(disconnected.request(GET_ORDER, { id: 'o1' })).rejects.toMatchObject({ body: { statusCode: 503, message: expect.stringMatching(/NATS connection is lost/) } });
  });

  it('does not compile a wrong payload, reply or handler: every line marked above fails to compile', () => {
    const configFile = resolve(__dirname, '../../../tsconfig.json');
    const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config, ts.sys, dirname(configFile));
    const program = ts.createProgram([__filename], { ...options, noEmit: true });
    const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(__filename));
    const problems = diagnostics.map((d) => `${d.start === undefined ? '' : `line ${d.file!.getLineAndCharacterOfPosition(d.start).line + 1}: `}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    expect(problems).toEqual([]);
  }, 60_000);
});
