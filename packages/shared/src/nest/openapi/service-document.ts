/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-member-access --
   an OpenAPI document is plain JSON walked by key here; typing each node would restate the specification. */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorCode } from '../../errors';
import {
  codesByStatus,
  codesOfErrorResponse,
  errorBodySchema,
  errorComponentName,
  errorExample,
  errorResponse,
} from './api-errors.decorator';

/** Set by the access decorators (Public, InternalOnly) on each operation; read and removed here. */
export const ACCESS_EXTENSION = 'x-shop-access';

/**
 * Errors the shared pipeline can answer on any route before or around the handler (SPEC §9,
 * bootstrap.ts): malformed input or an undecodable body (400), a body over 1 MB (413), a request
 * too slow (408), headers too large (431), a saturated database or a dependency that does not
 * answer (503, retry: domain-exception.filter.ts), and anything unexpected (500).
 */
export const PIPELINE_ERRORS: readonly ErrorCode[] = [
  'VALIDATION.FAILED',
  'REQUEST.TIMEOUT',
  'REQUEST.TOO_LARGE',
  'REQUEST.HEADERS_TOO_LARGE',
  'UPSTREAM.UNAVAILABLE',
  'INTERNAL',
];

/** What a request that matches no operation gets (besides the pipeline's errors). */
export const UNMATCHED_ROUTE_ERRORS: readonly ErrorCode[] = ['ROUTE.NOT_FOUND'];

type Json = Record<string, any>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface ServiceDocumentOptions {
  title: string;
  description?: string;
  /** Routes that answer every error in plain text (the Alipay webhook): no JSON errors added. */
  plainTextErrorPaths?: readonly string[];
}

/**
 * The service's OpenAPI 3.1 document: what @nestjs/swagger explores from the controllers and
 * their DTO classes, completed with what is the same for every route — the security of its access
 * level (bearer by default, `x-internal-token` for @InternalOnly, none for @Public) with its 401,
 * the pipeline's errors, closed objects (unknown fields are refused on the way in and never sent
 * out), and 3.1's `type: [T, "null"]` for Nest's 3.0-style `nullable`.
 */
export function createServiceDocument(app: INestApplication, options: ServiceDocumentOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle(options.title)
    .setDescription(options.description ?? '')
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'the token of POST /auth/login' }, 'bearer')
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'x-internal-token', description: 'the shared service secret (INTERNAL_TOKEN)' },
      'internal',
    )
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  return completeDocument(doc, options.plainTextErrorPaths ?? []);
}

export function completeDocument(doc: OpenAPIObject, plainTextPaths: readonly string[]): OpenAPIObject {
  for (const [path, item] of Object.entries(doc.paths) as Array<[string, Json]>) {
    for (const method of METHODS) {
      const op = item[method] as Json | undefined;
      if (op) {
        completeOperation(op, plainTextPaths.includes(path));
      }
    }
  }
  addErrorComponents(doc);
  for (const schema of Object.values(doc.components?.schemas ?? {})) {
    walkSchema(schema);
  }
  for (const item of Object.values(doc.paths) as Json[]) {
    for (const method of METHODS) {
      for (const response of Object.values((item[method]?.responses ?? {}) as Record<string, Json>)) {
        for (const media of Object.values((response.content ?? {}) as Record<string, Json>)) {
          if (media.schema) {
            walkSchema(media.schema as Json);
          }
        }
      }
    }
  }
  return doc;
}

function completeOperation(op: Json, plainText: boolean): void {
  // Every numeric path and query value is an integer (PositiveIntPipe, @QueryInt).
  for (const param of (op.parameters ?? []) as Json[]) {
    if (param.schema?.type === 'number') {
      param.schema.type = 'integer';
    }
  }
  const access = (op[ACCESS_EXTENSION] as string | undefined) ?? 'user';
  delete op[ACCESS_EXTENSION];
  op.security = access === 'public' ? [] : [{ [access === 'internal' ? 'internal' : 'bearer']: [] }];
  op.responses ??= {};
  if (plainText) {
    return; // its errors are documented on the route itself (text/plain `failure`)
  }
  const codes: ErrorCode[] = [...PIPELINE_ERRORS, ...(access === 'public' ? [] : (['AUTH.UNAUTHENTICATED'] as const))];
  for (const [status, list] of codesByStatus(codes)) {
    addErrorCodes(op.responses as Json, status, list);
  }
}

/** Adds codes to the operation's error response of that status (creating it when absent). */
function addErrorCodes(responses: Json, status: number, codes: readonly string[]): void {
  const existing = responses[String(status)] as Json | undefined;
  const current = codesOfErrorResponse(existing);
  if (existing && current.length === 0) {
    return; // the route answers this status with a body of its own (/health/ready's 503 report)
  }
  responses[String(status)] = errorResponse([...current, ...codes.filter((c) => !current.includes(c))]);
}

/** A component schema and example for every error code the operations refer to. */
function addErrorComponents(doc: OpenAPIObject): void {
  // ROUTE.NOT_FOUND is what a request matching no operation gets: described, though no operation has it.
  const used = new Set<string>(UNMATCHED_ROUTE_ERRORS);
  for (const item of Object.values(doc.paths) as Json[]) {
    for (const method of METHODS) {
      for (const response of Object.values((item[method]?.responses ?? {}) as Record<string, Json>)) {
        codesOfErrorResponse(response).forEach((code) => used.add(code));
      }
    }
  }
  doc.components ??= {};
  doc.components.schemas ??= {};
  doc.components.examples ??= {};
  for (const code of [...used].sort()) {
    doc.components.schemas[errorComponentName(code)] = errorBodySchema(code);
    doc.components.examples[errorComponentName(code)] = errorExample(code);
  }
}

/**
 * Objects are closed (additionalProperties: false) unless they say otherwise, and Nest's
 * OpenAPI 3.0 `nullable` becomes 3.1's null type.
 */
function walkSchema(schema: Json): void {
  if (schema.nullable === true) {
    delete schema.nullable;
    if (schema.$ref || schema.allOf) {
      // Nest writes a nullable class-typed property as { type: object, nullable, allOf: [$ref] }.
      const inner = schema.$ref ? { $ref: schema.$ref as string } : { allOf: schema.allOf as unknown[] };
      for (const k of ['$ref', 'allOf', 'type']) {
        delete schema[k];
      }
      schema.anyOf = [inner, { type: 'null' }];
    } else if (typeof schema.type === 'string') {
      schema.type = [schema.type, 'null'];
      if (Array.isArray(schema.enum)) {
        schema.enum = [...(schema.enum as unknown[]), null];
      }
    }
  } else if (schema.nullable === false) {
    delete schema.nullable;
  }
  const isObject = schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object'));
  if (isObject && schema.properties && schema.additionalProperties === undefined) {
    schema.additionalProperties = false;
  }
  for (const key of ['items', 'not', 'additionalProperties']) {
    if (schema[key] && typeof schema[key] === 'object') {
      walkSchema(schema[key] as Json);
    }
  }
  for (const key of ['allOf', 'anyOf', 'oneOf']) {
    for (const sub of (schema[key] ?? []) as Json[]) {
      walkSchema(sub);
    }
  }
  for (const sub of Object.values((schema.properties ?? {}) as Record<string, Json>)) {
    walkSchema(sub);
  }
}
