import { applyDecorators, Type } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import { ProblemDetails } from '../common/problem.views';

/*
 * Decorators that say in OpenAPI what the gateway answers beyond a route's own 2xx (which the
 * swagger plugin reads from the route's return type): its pages and its problems.
 */

/** When each problem status happens, as the docs say it. */
const PROBLEM_WHEN: Record<number, string> = {
  400: 'The request is malformed or fails validation; `details` names each failing field.',
  401: 'No API key, or one that is unknown or revoked.',
  403: 'The API key lacks the scope this route needs, or is limited to other seller accounts.',
  404: 'No such resource (or one of a seller account the API key is not for).',
  409: 'The resource is not in a state that allows this, or it exists already; or a request with the same Idempotency-Key is still running.',
  413: 'The body is larger than the gateway takes (GATEWAY_BODY_LIMIT).',
  422: 'The Idempotency-Key was used before with a different request.',
  429: 'More requests than this API key may make per minute; Retry-After says when to try again.',
  503: 'The service that owns the data did not answer in time.',
};

const PROBLEM_EXAMPLE: Record<number, string> = {
  400: 'Validation failed',
  401: 'missing or invalid API key',
  403: 'this API key does not have the operate scope',
  404: 'sales order 0190f5a4-7c1e-7b8a-9d2e-3f4a5b6c7d8e not found',
  409: 'sales order 405-1234567-1234567 is already cancelled',
  413: 'request body is larger than this API takes (GATEWAY_BODY_LIMIT)',
  422: 'this Idempotency-Key was used with a different request',
  429: 'ThrottlerException: Too Many Requests',
  503: 'inventory did not answer inventory.deliveries.get.v1 in time',
};

function problemExample(status: number): ProblemDetails {
  const title = STATUS_CODES[status] ?? 'Error';
  const detail = PROBLEM_EXAMPLE[status] ?? title;
  const example: ProblemDetails = { type: 'about:blank', title, status, detail, statusCode: status, error: title, message: detail };
  if (status === 400) example.details = [{ field: 'carrierCode', errors: ["carrierCode must be one of Amazon's carrier codes (use Other with carrierName)"] }];
  return example;
}

/** The `application/problem+json` answers a route (or every route of a controller) may give. */
export const ApiProblems = (...statuses: number[]) => ApiProblemsWhen(Object.fromEntries(statuses.map((status) => [status, PROBLEM_WHEN[status] ?? STATUS_CODES[status] ?? 'Error'])));

/** Problems a route gives for reasons of its own: each status with what it means there. */
export const ApiProblemsWhen = (when: Record<number, string>) =>
  applyDecorators(
    ApiExtraModels(ProblemDetails),
    ...Object.entries(when).map(([status, description]) =>
      ApiResponse({
        status: Number(status),
        description,
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDetails) }, example: problemExample(Number(status)) } },
      }),
    ),
  );

/**
 * A controller of the API: API key in `Authorization: Bearer`, and the problems every route
 * of it may give; `services` when its routes ask another service (which may not answer).
 */
export const ApiRoutes = (options: { services: boolean }) =>
  applyDecorators(ApiBearerAuth(), ApiProblems(400, 401, 403, 429, ...(options.services ? [503] : [])));

/** A list's answer: a page of `view`s and the cursor of the next page. */
export const ApiPage = (view: Type) =>
  applyDecorators(
    ApiExtraModels(view),
    ApiOkResponse({
      description: 'A page. Pass `nextCursor` as `cursor` for the next one; it is absent on the last page.',
      schema: {
        type: 'object',
        required: ['items'],
        properties: {
          items: { type: 'array', items: { $ref: getSchemaPath(view) } },
          nextCursor: { type: 'string', description: 'Opaque; absent on the last page.' },
        },
      },
    }),
  );
