import { INestApplication, RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { ApiResponse, DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { API_V1, UNVERSIONED_DEPRECATED_AT } from '../common/api-version';
import { ProblemDetails } from '../common/problem.views';
import pluginMetadata from './plugin-metadata';

/** Secrets the API takes but never returns (the contracts carry no OpenAPI decorators to say so). */
const WRITE_ONLY = new Set(['lwaClientSecret', 'refreshToken']);

const DESCRIPTION = [
  'Seller accounts, marketplaces, sales orders, partners, products, deliveries, stock and what was told to Amazon.',
  '',
  `Every route is under \`/${API_V1}\` and needs \`Authorization: Bearer <api key>\`. Paths under the bare \`/api\` are deprecated: ` +
    `they answer \`308 Permanent Redirect\` to the same path under \`/${API_V1}\` (method and body kept) for one release.`,
  '',
  'Lists take `limit` (1 to 500, default 50) and an opaque `cursor`, and answer `{ items, nextCursor }`; `nextCursor` is absent on the last page.',
  '',
  'POSTs that create or act honour an `Idempotency-Key` header (24 hours, per API key).',
  '',
  'Errors are `application/problem+json` (RFC 9457: `type`, `title`, `status`, `detail`), with `statusCode`, `error`, `message` ' +
    'and, for a request that fails validation, each failing field in `details`.',
].join('\n');

type ControllerMetadata = [Promise<Record<string, Function>>, Record<string, Record<string, Record<string, unknown>>>][];

/**
 * Each route's own answer as the plugin read it from the route's return type. The plugin adds it
 * only to routes without any @ApiResponse, and every route here has its problems: so it is added
 * here, beside them, in the status the route answers with.
 */
async function addRouteAnswers(metadata: unknown): Promise<void> {
  const controllers = (metadata as { '@nestjs/swagger'?: { controllers?: ControllerMetadata } })['@nestjs/swagger']?.controllers ?? [];
  for (const [load, classes] of controllers) {
    const module = await load;
    for (const [name, routes] of Object.entries(classes)) {
      const prototype = module[name].prototype;
      for (const [route, answer] of Object.entries(routes)) {
        const handler = prototype[route];
        const { summary: _summary, deprecated: _deprecated, tags: _tags, ...response } = answer;
        if (!Object.keys(response).length) continue;
        const status = Reflect.getMetadata(HTTP_CODE_METADATA, handler) ?? (Reflect.getMetadata(METHOD_METADATA, handler) === RequestMethod.POST ? 201 : 200);
        ApiResponse({ status, ...response })(prototype, route, Object.getOwnPropertyDescriptor(prototype, route)!);
      }
    }
  }
}

type ModelMetadata = [Promise<Record<string, Function>>, Record<string, unknown>][];
type Schema = Record<string, unknown>;

/**
 * What the plugin's class-validator shim does not read, from the validators themselves:
 * @IsIn with a list held in a constant (Amazon's carrier codes, the scopes), @IsISO8601 (a
 * date-time) and @IsInt (an integer, not any number).
 */
function addFactsOf(cls: Function, propertySchema: (name: string) => Schema | undefined): void {
  for (const validation of getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false)) {
    const property = propertySchema(validation.propertyName);
    if (!property) continue;
    const target = (validation.each && property.items ? property.items : property) as Schema;
    if (validation.name === 'isIn' && !target.enum) target.enum = [...(validation.constraints[0] as unknown[])];
    if (validation.name === 'isIso8601' && !target.format) target.format = 'date-time';
    if (validation.name === 'isInt' && target.type === 'number') target.type = 'integer';
  }
}

/** The validator facts of the classes' schemas, and of the query parameters a route takes as a class. */
async function addValidatorFacts(document: OpenAPIObject, metadata: unknown): Promise<void> {
  const swagger = (metadata as { '@nestjs/swagger'?: { models?: ModelMetadata; controllers?: ControllerMetadata } })['@nestjs/swagger'];
  const schemas = (document.components?.schemas ?? {}) as Record<string, { properties?: Record<string, Schema> }>;
  for (const [load, classes] of swagger?.models ?? []) {
    const module = await load;
    for (const name of Object.keys(classes)) {
      const properties = schemas[name]?.properties;
      if (properties) addFactsOf(module[name], (property) => properties[property]);
    }
  }
  const operations = new Map<string, { parameters?: { in: string; name: string; schema?: Schema }[] }>();
  for (const item of Object.values(document.paths)) for (const operation of Object.values(item)) operations.set((operation as { operationId: string }).operationId, operation as never);
  for (const [load, classes] of swagger?.controllers ?? []) {
    const module = await load;
    for (const [name, routes] of Object.entries(classes)) {
      const prototype = module[name].prototype;
      for (const route of Object.keys(routes)) {
        const operationId = (Reflect.getMetadata('swagger/apiOperation', prototype[route]) as { operationId?: string } | undefined)?.operationId;
        const query = (operations.get(operationId ?? '')?.parameters ?? []).filter((parameter) => parameter.in === 'query');
        for (const type of (Reflect.getMetadata('design:paramtypes', prototype, route) ?? []) as Function[]) {
          addFactsOf(type, (property) => query.find((parameter) => parameter.name === property)?.schema);
        }
      }
    }
  }
}

/** Marks the secrets write-only wherever a schema has them. */
function markWriteOnly(document: OpenAPIObject): void {
  for (const schema of Object.values(document.components?.schemas ?? {})) {
    for (const [name, property] of Object.entries((schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {})) {
      if (WRITE_ONLY.has(name)) property.writeOnly = true;
    }
  }
}

/**
 * The unversioned paths, each as a deprecated operation that answers 308 to its /api/v1 path,
 * so a client generated from the document knows they are going.
 */
function addUnversionedPaths(document: OpenAPIObject): void {
  const prefix = `/${API_V1}/`;
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith(prefix)) continue;
    const legacy: Record<string, unknown> = {};
    for (const [method, operation] of Object.entries(item)) {
      const { operationId, summary, tags, parameters } = operation as { operationId: string; summary?: string; tags?: string[]; parameters?: { in: string }[] };
      legacy[method] = {
        operationId: `${operationId}Unversioned`,
        summary: `Moved to ${path}${summary ? `: ${summary}` : ''}`,
        tags,
        deprecated: true,
        parameters: parameters?.filter((parameter) => parameter.in === 'path'),
        responses: {
          308: {
            description: `Permanent redirect to ${path} (same method and body). Deprecated since ${new Date(UNVERSIONED_DEPRECATED_AT * 1000).toISOString().slice(0, 10)}.`,
            headers: {
              Location: { schema: { type: 'string' }, description: 'the /api/v1 URL' },
              Deprecation: { schema: { type: 'string' }, description: 'RFC 9745: when these paths were deprecated' },
            },
          },
        },
      };
    }
    document.paths[`/api/${path.slice(prefix.length)}`] = legacy;
  }
}

/**
 * The gateway's OpenAPI document, from the controllers and the classes they take and answer
 * (through the swagger plugin's metadata, see tools/openapi). The same document is served at
 * /docs and committed as apps/gateway/openapi.json.
 */
export async function openApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(pluginMetadata);
  await addRouteAnswers(await pluginMetadata());
  const config = new DocumentBuilder()
    .setTitle('Amazon order connector')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'an API key: one of GATEWAY_API_KEYS, or one made with POST /api/v1/keys' })
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetails] });
  markWriteOnly(document);
  await addValidatorFacts(document, await pluginMetadata());
  addUnversionedPaths(document);
  return document;
}
