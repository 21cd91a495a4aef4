import { ValidationError } from 'class-validator';
import type { FieldError } from '@connector/contracts';

/** Flattens class-validator's tree into one entry per failing field (`lines.0.quantity`). */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) out.push({ field, errors: Object.values(error.constraints) });
    if (error.children?.length) out.push(...fieldErrors(error.children, field));
  }
  return out;
}

/** Options shared by the HTTP and the NATS validation pipes: unknown fields are errors. */
export const STRICT_VALIDATION = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
} as const;
