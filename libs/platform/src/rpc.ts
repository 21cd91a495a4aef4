import {
  ArgumentsHost,
  Catch,
  HttpException,
  HttpStatus,
  Injectable,
  Logger,
  RpcExceptionFilter,
  ValidationPipe,
} from '@nestjs/common';
import { ClientProxy, MessagePattern, NatsRecordBuilder, RpcException } from '@nestjs/microservices';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { maxPayloadOf, NATS_DEFAULT_MAX_PAYLOAD } from '@connector/messaging';
import type { RequestContract, RpcErrorBody } from '@connector/contracts';
import { firstValueFrom, Observable, throwError, timeout, TimeoutError } from 'rxjs';
import { BackoffPolicy, backoffDelay, CORRELATION_ID_HEADER, currentCorrelationId, isConnectionOutage, isDependencyOutage, sleep } from '@connector/workers';
import { fieldErrors, STRICT_VALIDATION } from './validation';

/** A failure a service answers with on purpose (not found, conflict, bad request...). */
export class ServiceError extends RpcException {
  constructor(readonly body: RpcErrorBody) {
    super(body);
  }

  static badRequest(message: string, details?: RpcErrorBody['details']) {
    return new ServiceError({ statusCode: 400, error: 'Bad Request', message, details });
  }
  static notFound(message: string) {
    return new ServiceError({ statusCode: 404, error: 'Not Found', message });
  }
  static conflict(message: string, details?: RpcErrorBody['details']) {
    return new ServiceError({ statusCode: 409, error: 'Conflict', message, details });
  }
}

export function isRpcErrorBody(value: unknown): value is RpcErrorBody {
  return typeof value === 'object' && value !== null && typeof (value as RpcErrorBody).statusCode === 'number';
}

/** Validates every request payload against its contract class; unknown fields are errors. */
export const rpcValidationPipe = () =>
  new ValidationPipe({
    ...STRICT_VALIDATION,
    exceptionFactory: (errors) =>
      ServiceError.badRequest('Validation failed', fieldErrors(errors)),
  });

/**
 * What a caller is told when the service lost its database or NATS mid-request. The work may have
 * been done before the answer was lost, so the gateway keeps the Idempotency-Key's claim after a 503
 * for 2 minutes (ABANDONED_SECONDS, idempotency.service.ts; a retry with the key meanwhile gets a
 * 409), after which a retry with the same key runs once more.
 */
export const SERVICE_AWAY_MESSAGE =
  'The service cannot reach its database or NATS at the moment; the request may have been done: retry with the same Idempotency-Key after 2 minutes';

/** Turns whatever a handler throws into an RpcErrorBody; unexpected errors are logged, not leaked. */
@Catch()
export class RpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('RpcErrorFilter');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => toRpcErrorBody(exception, this.logger));
  }
}

export function toRpcErrorBody(exception: unknown, logger?: Logger): RpcErrorBody {
  if (exception instanceof ServiceError) return exception.body;
  if (exception instanceof RpcException && isRpcErrorBody(exception.getError())) {
    return exception.getError() as RpcErrorBody;
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : ((response as { message?: string }).message ?? exception.message);
    return { statusCode: exception.getStatus(), error: HttpStatus[exception.getStatus()] ?? 'Error', message: String(message) };
  }
  // Its connection to the database (or NATS) lost or refused: a 503 the caller waits out and asks
  // again (an idempotent request is retried, see ServiceClient), rather than a 500 that fails its work
  // as if the request were wrong. Only a lost connection: a slow statement, a protocol violation or
  // memory running out is a fault to see (a 500 with its stack), not one to retry for a minute.
  // The work may have committed before its answer was lost, so the caller is told to use its key.
  if (isConnectionOutage(exception)) {
    logger?.warn(`a dependency is away: ${exception instanceof Error ? exception.message : String(exception)}`);
    return { statusCode: 503, error: 'Service Unavailable', message: SERVICE_AWAY_MESSAGE };
  }
  logger?.error(exception instanceof Error ? exception.stack : String(exception));
  return { statusCode: 500, error: 'Internal Server Error', message: 'The service failed to handle the request' };
}

/**
 * Declares the handler of a request contract (Nest's @MessagePattern on its subject). The
 * handler's payload parameter must take the contract's payload and it must answer the
 * contract's reply type (or a promise of it), or it does not compile.
 */
export function HandlesRequest<Payload extends object, Reply>(contract: RequestContract<Payload, Reply>) {
  return <Handler extends (payload: Payload, ...rest: never[]) => Reply | Promise<Reply>>(
    target: object,
    method: string | symbol,
    descriptor: TypedPropertyDescriptor<Handler>,
  ): void => {
    MessagePattern(contract.subject)(target, method, descriptor);
  };
}

export interface ServiceClientOptions {
  /**
   * How long in all an idempotent request (its contract says so) is asked again while the
   * other service or NATS is away, before its caller sees the failure. 0: never again.
   */
  retryForMs: number;
  /** The waits between tries: full jitter under an exponential ceiling (backoffDelay), so many callers do not come back together. */
  backoff?: BackoffPolicy;
}

const DEFAULT_RETRY_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 5000 };

/**
 * Request/reply to another service over NATS, with a deadline. Errors come back as an
 * RpcErrorBody; a silent service, or NATS away, becomes a 503 naming the subject. A request
 * whose contract is idempotent is asked again with back-off while that lasts (up to
 * `retryForMs` in all), so a NATS restart or a replica's crash costs the caller a wait, not
 * its work (the sync of a whole window, say).
 */
@Injectable()
export class ServiceClient {
  constructor(
    private readonly proxy: Pick<ClientProxy, 'send' | 'close'> & Partial<Pick<ClientProxy, 'connect' | 'unwrap'>>,
    private readonly options: ServiceClientOptions = { retryForMs: 0 },
  ) {}

  /**
   * Asks `contract` with a payload of its class (checked by the compiler here, validated by the server) and answers its reply.
   * `retryForMs` overrides the client's for this call: 0 when the caller holds something (a lock, an open transaction) that
   * must not wait through an outage.
   */
  async request<Payload extends object, Reply>(contract: RequestContract<Payload, Reply>, payload: NoInfer<Payload>, timeoutMs = 15000, retryForMs = this.options.retryForMs): Promise<Reply> {
    const deadline = Date.now() + (contract.idempotent ? retryForMs : 0);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.ask(contract.subject, payload, timeoutMs);
      } catch (err) {
        const delayMs = backoffDelay(attempt, this.options.backoff ?? DEFAULT_RETRY_BACKOFF);
        if (!isDependencyOutage(err) || Date.now() + delayMs >= deadline) throw err;
        await sleep(delayMs);
      }
    }
  }

  private async ask<Reply>(subject: string, payload: object, timeoutMs: number): Promise<Reply> {
    try {
      return await firstValueFrom(this.proxy.send<Reply>(subject, withCorrelationId(payload ?? {})).pipe(timeout(timeoutMs)));
    } catch (err) {
      if (isRpcErrorBody(err)) throw new ServiceError(err);
      // While NATS is away, Nest's client rejects with a bare string ("Error: Connection lost. Trying
      // to reconnect..."): made a 503 like silence, so callers see an outage and not an odd value.
      if (typeof err === 'string' && /connection lost|reconnect/i.test(err)) {
        throw new ServiceError({ statusCode: 503, error: 'Service Unavailable', message: `no answer to ${subject}: the NATS connection is lost (reconnecting)` });
      }
      if (err instanceof TimeoutError || /no subscribers|503/i.test(String(err?.message ?? err))) {
        throw new ServiceError({
          statusCode: 503,
          error: 'Service Unavailable',
          message: `no answer to ${subject} within ${timeoutMs} ms`,
        });
      }
      throw err;
    }
  }

  /**
   * The largest message, headers included, the NATS server takes (its max_payload): a request
   * larger than that fails in the NATS client, so callers with large payloads refuse them first.
   */
  async maxPayload(): Promise<number> {
    if (!this.proxy.connect || !this.proxy.unwrap) return NATS_DEFAULT_MAX_PAYLOAD;
    try {
      await this.proxy.connect();
      return maxPayloadOf(this.proxy.unwrap<NatsConnection>());
    } catch {
      // NATS away: the request itself then answers 503.
      return NATS_DEFAULT_MAX_PAYLOAD;
    }
  }

  async close(): Promise<void> {
    await this.proxy.close();
  }
}

/**
 * The payload as Nest's NATS client sends it with headers: the correlation id of the work under
 * way goes with the request, and the service that answers logs under it (NamespacedNatsServer).
 */
export function withCorrelationId(payload: object): object {
  const correlationId = currentCorrelationId();
  if (!correlationId) return payload;
  const headers = natsHeaders();
  headers.set(CORRELATION_ID_HEADER, correlationId);
  return new NatsRecordBuilder(payload).setHeaders(headers).build();
}
