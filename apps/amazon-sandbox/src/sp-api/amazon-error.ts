import { HttpException } from '@nestjs/common';

export interface AmazonError {
  code: string;
  message: string;
  details?: string;
}

/** An SP-API error answer: `{ errors: [{ code, message, details }] }` with its HTTP status. */
export class AmazonApiError extends HttpException {
  constructor(
    status: number,
    readonly errors: AmazonError[],
  ) {
    super({ errors }, status);
  }

  static invalidInput(message: string, details = ''): AmazonApiError {
    return new AmazonApiError(400, [{ code: 'InvalidInput', message, details }]);
  }

  static notFound(message: string, details = ''): AmazonApiError {
    return new AmazonApiError(404, [{ code: 'NotFound', message, details }]);
  }

  static unauthorized(): AmazonApiError {
    return new AmazonApiError(403, [{ code: 'Unauthorized', message: 'Access to requested resource is denied.', details: '' }]);
  }

  static quotaExceeded(): AmazonApiError {
    return new AmazonApiError(429, [{ code: 'QuotaExceeded', message: 'You exceeded your quota for the requested resource.', details: '' }]);
  }

  static serverError(status: number): AmazonApiError {
    if (status === 404) return AmazonApiError.notFound('The requested resource was not found.');
    if (status === 400) return AmazonApiError.invalidInput('The request is refused (an injected fault).');
    return status === 503
      ? new AmazonApiError(503, [{ code: 'ServiceUnavailable', message: 'Service temporarily unavailable. Please try again later.', details: '' }])
      : new AmazonApiError(status, [{ code: 'InternalFailure', message: 'We encountered an internal error. Please try again.', details: '' }]);
  }
}

/** Amazon's error code for a plain HTTP status (used when something other than AmazonApiError is thrown). */
export function amazonCodeForStatus(status: number): string {
  if (status === 400) return 'InvalidInput';
  if (status === 403) return 'Unauthorized';
  if (status === 404) return 'NotFound';
  if (status === 413) return 'RequestEntityTooLarge';
  if (status === 415) return 'UnsupportedMediaType';
  if (status === 429) return 'QuotaExceeded';
  if (status === 503) return 'ServiceUnavailable';
  return 'InternalFailure';
}
