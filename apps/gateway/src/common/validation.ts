import { BadRequestException, Param, ParseUUIDPipe, ValidationPipe } from '@nestjs/common';
import type { FieldError } from '@connector/contracts';
import { fieldErrors, STRICT_VALIDATION } from '@connector/platform';

export function validationFailed(details: FieldError[]): BadRequestException {
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'Validation failed', details });
}

/** Bodies and queries against the contract classes: unknown fields are errors, each failing field is named. */
export const gatewayValidationPipe = () =>
  new ValidationPipe({
    ...STRICT_VALIDATION,
    exceptionFactory: (errors) => validationFailed(fieldErrors(errors)),
  });

/** A path id that must be a UUID; anything else is a 400 in the API's error shape. */
export const UuidParam = (name = 'id') =>
  Param(
    name,
    new ParseUUIDPipe({
      exceptionFactory: () => validationFailed([{ field: name, errors: [`${name} must be a UUID`] }]),
    }),
  );
