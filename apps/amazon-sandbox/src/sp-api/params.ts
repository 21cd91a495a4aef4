import { AmazonApiError } from './amazon-error';

/** A list query parameter: accepts comma-separated values and repeated parameters alike. */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = Array.isArray(value) ? value : [value];
  const out = raw.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter((v) => v.length > 0);
  return out.length ? out : undefined;
}

/** A single query parameter (the first one when repeated). */
export function singleParam(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v === '' ? undefined : String(v);
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value));
}

/** Parses an ISO 8601 timestamp parameter into epoch ms, or answers 400 InvalidInput naming it. */
export function dateParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!isIsoDate(value)) throw AmazonApiError.invalidInput(`Invalid ${name}: must be an ISO 8601 date-time.`, `${name}=${value}`);
  return Date.parse(value);
}

/** Checks every value of a list parameter against its allowed values (400 otherwise). */
export function enumListParam<T extends string>(name: string, value: unknown, allowed: readonly T[]): T[] | undefined {
  const list = listParam(value);
  if (!list) return undefined;
  const bad = list.filter((v) => !(allowed as readonly string[]).includes(v));
  if (bad.length) throw AmazonApiError.invalidInput(`Invalid ${name}: ${bad.join(', ')}. Allowed values: ${allowed.join(', ')}.`, name);
  return list as T[];
}
