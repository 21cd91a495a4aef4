import { BadRequestException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { validationFailed } from './validation';

/** Deeper JSON than any request of this API: refused before validation (which recurses) sees it. */
const MAX_DEPTH = 16;

/** The first problem of a parsed body, walked without recursion: too deep, or a NUL character. */
function bodyProblem(body: unknown): string | undefined {
  const stack: { value: unknown; depth: number }[] = [{ value: body, depth: 0 }];
  while (stack.length) {
    const { value, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return 'text must not contain NUL characters';
    } else if (value && typeof value === 'object') {
      if (depth >= MAX_DEPTH) return `the body is nested deeper than ${MAX_DEPTH} levels`;
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) return 'text must not contain NUL characters';
        stack.push({ value: item, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/**
 * Input PostgreSQL or the validator cannot take (a NUL in text, absurd nesting) is the caller's
 * 400, said plainly, instead of a 500 from deep inside.
 */
export function requestSanity(req: Request, _res: Response, next: NextFunction): void {
  let url = req.originalUrl;
  try {
    url = decodeURIComponent(url);
  } catch {
    return next(new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'the URL is not well encoded' }));
  }
  const problem = url.includes('\u0000') ? 'text must not contain NUL characters' : bodyProblem(req.body);
  next(problem ? validationFailed([{ field: 'request', errors: [problem] }]) : undefined);
}
