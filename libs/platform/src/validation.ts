import { plainToInstance } from 'class-transformer';
import { getMetadataStorage, validateSync, ValidationError } from 'class-validator';
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

/**
 * What a service would refuse in `value` as a `cls` (its contract class), checked before it is
 * sent: one line per failing field, prefixed with `what`; empty when it passes.
 */
export function contractProblems<T extends object>(cls: new () => T, value: object, what?: string): string[] {
  const errors = validateSync(plainToInstance(cls, value) as object, { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } });
  return fieldErrors(errors).map(({ field, errors: messages }) => `${what ? `${what}.` : ''}${field}: ${messages.join(', ')}`);
}

type MetadataStorage = ReturnType<typeof getMetadataStorage>;
type TargetMetadatas = ReturnType<MetadataStorage['getTargetValidationMetadatas']>;
let metadataCached = false;

/**
 * class-validator looks up a class's rules on every `validate` call by scanning every
 * decorated class it knows (for inherited rules) and regrouping them by property
 * (typestack/class-validator#2686). With all our contracts loaded that scan was the largest
 * part of validating an event. A class's rules are complete once its module has loaded,
 * before anything can validate it, so the answer is kept per class and options.
 * Called once per process at start; calling it again does nothing.
 */
export function cacheValidationMetadata(): void {
  if (metadataCached) return;
  metadataCached = true;
  const storage = getMetadataStorage();
  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const byTarget = new WeakMap<object, Map<string, TargetMetadatas>>();
  const grouped = new WeakMap<TargetMetadatas, ReturnType<MetadataStorage['groupByPropertyName']>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let forTarget = byTarget.get(target);
    if (!forTarget) byTarget.set(target, (forTarget = new Map()));
    let metadatas = forTarget.get(key);
    if (!metadatas) forTarget.set(key, (metadatas = lookUp(target, schema, always, strictGroups, groups)));
    return metadatas;
  };
  // The executor groups the (now identical) array again on every call; keep that too.
  storage.groupByPropertyName = (metadatas) => {
    let byProperty = grouped.get(metadatas);
    if (!byProperty) grouped.set(metadatas, (byProperty = group(metadatas)));
    return byProperty;
  };
}
