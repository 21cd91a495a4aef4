import { applyDecorators, Type } from '@nestjs/common';
import { ApiBody, ApiQuery } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger';
import type { MetadataStorage } from 'class-transformer/types/MetadataStorage';
import { getMetadataStorage } from 'class-validator';

// class-transformer keeps its @Type() metadata in a module its package does not type.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: MetadataStorage };

/*
 * The contract classes carry class-validator decorators but no @ApiProperty, and the build
 * runs without the Swagger plugin. These helpers read the validators to describe the
 * classes in OpenAPI, so the docs follow the contracts without a second copy of them.
 */

/** Secrets the API accepts but never returns. */
const WRITE_ONLY = new Set(['lwaClientSecret', 'refreshToken']);

interface PropertySchema {
  schema: SchemaObject;
  required: boolean;
}

function scalarFromDesignType(designType: unknown): SchemaObject {
  if (designType === String) return { type: 'string' };
  if (designType === Number) return { type: 'number' };
  if (designType === Boolean) return { type: 'boolean' };
  if (designType === Array) return { type: 'array', items: {} };
  return {};
}

function describeProperties(cls: Function, depth = 0): Map<string, PropertySchema> {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const out = new Map<string, PropertySchema>();
  for (const meta of metadatas) {
    const name = meta.propertyName;
    if (!out.has(name)) {
      const designType = Reflect.getMetadata('design:type', cls.prototype, name);
      const schema = scalarFromDesignType(designType);
      if (WRITE_ONLY.has(name)) schema.writeOnly = true;
      out.set(name, { schema, required: true });
    }
    const prop = out.get(name)!;
    let target = prop.schema;
    if (meta.each || prop.schema.type === 'array') {
      prop.schema.type = 'array';
      prop.schema.items ??= {};
      target = prop.schema.items as SchemaObject;
    }
    const c = meta.constraints ?? [];
    if (meta.type === 'conditionalValidation') {
      prop.required = false;
      continue;
    }
    if (meta.type === 'nestedValidation') {
      const nested = defaultMetadataStorage.findTypeMetadata(cls, name)?.typeFunction();
      if (typeof nested === 'function' && depth < 4) Object.assign(target, contractSchema(nested as Type, depth + 1));
      continue;
    }
    switch (meta.name) {
      case 'isString': target.type = 'string'; break;
      case 'isInt': target.type = 'integer'; break;
      case 'isNumber': target.type = 'number'; break;
      case 'isBoolean': target.type = 'boolean'; break;
      case 'isUuid': Object.assign(target, { type: 'string', format: 'uuid' }); break;
      case 'isIso8601': Object.assign(target, { type: 'string', format: 'date-time' }); break;
      case 'isUrl': Object.assign(target, { type: 'string', format: 'uri' }); break;
      case 'isEnum': Object.assign(target, { type: 'string', enum: c[1] }); break;
      case 'isIn': Object.assign(target, { enum: [...(c[0] as unknown[])] }); break;
      case 'matches': if (c[0] instanceof RegExp) Object.assign(target, { type: 'string', pattern: c[0].source }); break;
      case 'minLength': target.minLength = c[0]; break;
      case 'maxLength': target.maxLength = c[0]; break;
      case 'length': Object.assign(target, { minLength: c[0], maxLength: c[1] }); break;
      case 'min': target.minimum = c[0]; break;
      case 'max': target.maximum = c[0]; break;
      case 'arrayMinSize': prop.schema.minItems = c[0]; break;
      case 'arrayMaxSize': prop.schema.maxItems = c[0]; break;
      case 'arrayUnique': prop.schema.uniqueItems = true; break;
    }
  }
  return out;
}

/** An OpenAPI schema for a contract class (unknown fields are rejected, hence additionalProperties false). */
export function contractSchema(cls: Type, depth = 0): SchemaObject {
  const props = describeProperties(cls, depth);
  const required = [...props].filter(([, p]) => p.required).map(([name]) => name);
  return {
    type: 'object',
    properties: Object.fromEntries([...props].map(([name, p]) => [name, p.schema])),
    ...(required.length ? { required } : {}),
    additionalProperties: false,
  };
}

/** Documents a request body from a contract class. */
export const ApiContractBody = (cls: Type, description?: string) =>
  ApiBody({ schema: contractSchema(cls), description });

/** Documents each field of a contract class as a query parameter, leaving out `omit` (path params). */
export const ApiContractQuery = (cls: Type, omit: string[] = []) =>
  applyDecorators(
    ...[...describeProperties(cls)]
      .filter(([name]) => !omit.includes(name))
      .map(([name, p]) => ApiQuery({ name, required: p.required, schema: p.schema })),
  );
