import { ArgumentsHost, BadRequestException, HttpException, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { ServiceError } from '@connector/platform';
import { HttpErrorFilter, toHttpErrorBody } from './http-error.filter';

describe('toHttpErrorBody', () => {
  it('passes a service error through with its status code', () => {
    expect(toHttpErrorBody(ServiceError.notFound('order 1 not found'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'order 1 not found',
    });
    const details = [{ field: 'reason', errors: ['bad'] }];
    expect(toHttpErrorBody(ServiceError.conflict('already shipped', details))).toEqual({
      statusCode: 409,
      error: 'Conflict',
      message: 'already shipped',
      details,
    });
  });

  it('maps the 503 of a silent service', () => {
    const err = new ServiceError({ statusCode: 503, error: 'Service Unavailable', message: 'no answer to x within 15 ms' });
    expect(toHttpErrorBody(err).statusCode).toBe(503);
  });

  it('keeps only the public fields and a valid status of an RpcException body', () => {
    const body = toHttpErrorBody(new RpcException({ statusCode: 422, error: 'Unprocessable Entity', message: 'm', stack: 'x' }));
    expect(body).toEqual({ statusCode: 422, error: 'Unprocessable Entity', message: 'm' });
    expect(toHttpErrorBody(new ServiceError({ statusCode: 200, error: '', message: 'odd' })).statusCode).toBe(500);
  });

  it('maps HttpExceptions, our shaped ones and Nest defaults alike', () => {
    expect(toHttpErrorBody(new NotFoundException('Cannot GET /api/nothing'))).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'Cannot GET /api/nothing',
    });
    expect(
      toHttpErrorBody(new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid API key' })),
    ).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'missing or invalid API key' });
    const details = [{ field: 'carrierCode', errors: ['x'] }];
    expect(
      toHttpErrorBody(new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Validation failed', details })),
    ).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Validation failed', details });
    expect(toHttpErrorBody(new BadRequestException(['a', 'b']))).toEqual({ statusCode: 400, error: 'Bad Request', message: 'a; b' });
    expect(toHttpErrorBody(new HttpException('slow down', 429))).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'slow down',
    });
  });

  it('says a JSON parse failure is a malformed body', () => {
    const body = toHttpErrorBody(new BadRequestException('Unexpected token } in JSON at position 9'));
    expect(body.statusCode).toBe(400);
    expect(body.message).toMatch(/^malformed JSON body/);
  });

  it('answers unknown errors with a bare 500 and logs them', () => {
    const logger = { error: jest.fn() };
    const body = toHttpErrorBody(new Error('password=hunter2 at db.query'), logger as never);
    expect(body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'internal error' });
    expect(JSON.stringify(body)).not.toContain('hunter2');
    expect(logger.error).toHaveBeenCalled();
  });
});

describe('HttpErrorFilter', () => {
  it('writes the status and the body as application/problem+json', () => {
    const send = jest.fn();
    const type = jest.fn().mockReturnValue({ send });
    const status = jest.fn().mockReturnValue({ type });
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({ getResponse: () => ({ status }), getRequest: () => ({ method: 'GET', url: '/api/orders/x' }) }),
    } as unknown as ArgumentsHost;
    new HttpErrorFilter().catch(ServiceError.notFound('nope'), host);
    expect(status).toHaveBeenCalledWith(404);
    expect(type).toHaveBeenCalledWith('application/problem+json');
    expect(JSON.parse(send.mock.calls[0][0])).toEqual({ type: 'about:blank', title: 'Not Found', status: 404, detail: 'nope', statusCode: 404, error: 'Not Found', message: 'nope' });
  });
});
