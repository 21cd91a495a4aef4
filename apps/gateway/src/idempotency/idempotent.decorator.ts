import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblems } from '../openapi/api-docs';

export const IDEMPOTENT = 'gateway:idempotent';
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

/**
 * A POST that creates or acts: sent again with the same `Idempotency-Key` (and the same body)
 * within 24 hours, it is not done twice; the first answer comes back instead.
 */
export const Idempotent = () =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, true),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Up to 255 printable characters, unique per request (a UUID, say). The same key with the same body within 24 hours ' +
        'replays the first answer (with its status, and `Idempotency-Replayed: true`) instead of doing it again; with another ' +
        'body it is a 422. Keys are per API key.',
      schema: { type: 'string', minLength: 1, maxLength: 255, example: '8e0f6a52-3f7c-4d39-9a4e-2b1c5d7e9f10' },
    }),
    ApiProblems(409, 422),
  );
