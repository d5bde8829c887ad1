// Contract checks: every response a service gives in the tests is validated against the OpenAPI
// document that service serves (its status, media type, body schema and, for errors, the codes that
// status may carry). A test that gets an undocumented answer fails with the differences.
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ERROR_STATUS } from '../errors';

type Json = Record<string, any>;

export interface ContractResponse {
  method: string;
  /** Absolute URL or a path (with or without query). */
  url: string;
  status: number;
  contentType: string | null;
  /** The x-correlation-id response header. */
  correlationId?: string | null;
  text: string;
}

/** Codes a request that matches no operation may get (an unknown route, or the pipeline's errors). */
const UNMATCHED_CODES = ['ROUTE.NOT_FOUND', 'VALIDATION.FAILED', 'REQUEST.TIMEOUT', 'REQUEST.TOO_LARGE', 'REQUEST.HEADERS_TOO_LARGE'];
/** The docs themselves are served next to the API, not described in it. */
const UNDOCUMENTED_PATHS = /^\/docs(-json|\/.*)?$/;

let documents = 0;

export class ContractError extends Error {}

/** Checks responses against one OpenAPI 3.1 document. */
export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly id = `urn:shop:openapi:${++documents}`;
  private readonly operations: Array<{ method: string; template: string; regex: RegExp; literal: number; op: Json }> = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(
    readonly name: string,
    private readonly doc: Json,
  ) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: this.id, $defs: this.rewriteRefs(doc.components?.schemas ?? {}) });
    for (const [template, item] of Object.entries((doc.paths ?? {}) as Record<string, Json>)) {
      // As Express routes: case-insensitive, a trailing slash ignored.
      const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
      const regex = new RegExp(`^${pattern}/?$`, 'i');
      const literal = template.split('/').filter((s) => s && !s.startsWith('{')).length;
      for (const [method, op] of Object.entries(item)) {
        if (['get', 'put', 'post', 'delete', 'patch', 'options', 'head'].includes(method)) {
          this.operations.push({ method, template, regex, literal, op: op as Json });
        }
      }
    }
    // A literal segment beats a parameter (/orders/confirm before /orders/{orderSn}).
    this.operations.sort((a, b) => b.literal - a.literal);
  }

  /** The differences between a response and the document; empty when it conforms. */
  violations(res: ContractResponse): string[] {
    const path = routedPath(res.url);
    const method = res.method.toLowerCase();
    if (UNDOCUMENTED_PATHS.test(path)) {
      return [];
    }
    const lookup = method === 'head' ? 'get' : method;
    const found = this.operations.find((o) => o.method === lookup && o.regex.test(path));
    const where = `${this.name}: ${res.method.toUpperCase()} ${path} → ${res.status}`;
    if (!found) {
      return this.unmatched(res, where);
    }
    const label = `${found.method.toUpperCase()} ${found.template}`;
    const response = found.op.responses?.[String(res.status)] as Json | undefined;
    if (!response) {
      const documented = Object.keys(found.op.responses ?? {}).join(', ');
      return [`${where}: status ${res.status} is not documented for ${label} (documented: ${documented})${excerpt(res.text)}`];
    }
    const content = response.content as Record<string, Json> | undefined;
    if (!content || method === 'head') {
      return method !== 'head' && res.text !== ''
        ? [`${where}: ${label} documents no body for ${res.status}, got${excerpt(res.text)}`]
        : [];
    }
    const mediaType = (res.contentType ?? '').split(';')[0].trim().toLowerCase();
    const media = content[mediaType];
    if (!media) {
      return [`${where}: content type "${mediaType}" is not documented for ${label} ${res.status} (${Object.keys(content).join(', ')})`];
    }
    const body = parseBody(mediaType, res.text);
    if (body instanceof Error) {
      return [`${where}: ${body.message}${excerpt(res.text)}`];
    }
    const problems = this.validate(`${label} ${res.status} ${mediaType}`, media.schema as Json | undefined, body).map(
      (e) => `${where}: ${e}`,
    );
    return [...problems, ...correlationProblems(res, body, where)];
  }

  private unmatched(res: ContractResponse, where: string): string[] {
    const body = parseBody('application/json', res.text);
    const code = body && typeof body === 'object' && !(body instanceof Error) ? (body as Json).error?.code : undefined;
    if (typeof code !== 'string' || !UNMATCHED_CODES.includes(code) || ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== res.status) {
      return [`${where}: no operation of the document matches, and the answer is not a ROUTE.NOT_FOUND error${excerpt(res.text)}`];
    }
    return this.validate(`unmatched ${code}`, { $ref: `#/components/schemas/Error_${code}` }, body)
      .map((e) => `${where}: ${e}`)
      .concat(correlationProblems(res, body, where));
  }

  /** Validates a value against a schema of this document (its $refs resolved in the document). */
  validateSchema(schema: Json, value: unknown): string[] {
    return this.validate(JSON.stringify(schema), schema, value);
  }

  private validate(key: string, schema: Json | undefined, body: unknown): string[] {
    if (!schema) {
      return [];
    }
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(this.rewriteRefs(schema) as Json);
      this.validators.set(key, validate);
    }
    if (validate(body)) {
      return [];
    }
    return (validate.errors ?? []).map(
      (e) => `body${e.instancePath} ${e.message ?? 'is invalid'}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`,
    );
  }

  private rewriteRefs(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((v) => this.rewriteRefs(v));
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Json).map(([k, v]) => [
          k,
          k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', `${this.id}#/$defs/`) : this.rewriteRefs(v),
        ]),
      );
    }
    return value;
  }
}

/** The path as the server saw it: no dot-segment resolution (which `new URL()` would do), no query. */
function routedPath(url: string): string {
  const path = url.replace(/^[a-z]+:\/\/[^/?#]*/i, '').split(/[?#]/)[0];
  return path === '' ? '/' : path;
}

function parseBody(mediaType: string, text: string): unknown {
  if (mediaType !== 'application/json') {
    return text;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return new Error('the body is not JSON');
  }
}

/** SPEC §9: an error body's correlationId is the x-correlation-id header. */
function correlationProblems(res: ContractResponse, body: unknown, where: string): string[] {
  const id = (body as { error?: { correlationId?: unknown } } | null)?.error?.correlationId;
  if (res.status >= 400 && typeof id === 'string' && res.correlationId !== undefined && res.correlationId !== id) {
    return [`${where}: error.correlationId ${id} differs from the x-correlation-id header ${String(res.correlationId)}`];
  }
  return [];
}

function excerpt(text: string): string {
  return text ? `: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}` : '';
}

/** Base URL (origin) → the checker of the service listening there. */
const registry = new Map<string, ContractChecker>();

/** From now on, responses from `baseUrl` are checked against `doc` (by http(), and checkedFetch). */
export function registerContract(baseUrl: string, name: string, doc: Json): ContractChecker {
  const checker = new ContractChecker(name, doc);
  registry.set(new URL(baseUrl).origin, checker);
  return checker;
}

export function unregisterContract(baseUrl: string): void {
  registry.delete(new URL(baseUrl).origin);
}

/** Fetches a service's served document and registers it. */
export async function registerServedContract(baseUrl: string, name: string): Promise<ContractChecker> {
  const res = await fetch(`${baseUrl}/docs-json`);
  if (res.status !== 200) {
    throw new Error(`${name}: GET /docs-json answered ${res.status}`);
  }
  return registerContract(baseUrl, name, (await res.json()) as Json);
}

/** What in the response the registered service's document does not allow (nothing for others). */
export function contractViolations(res: ContractResponse): string[] {
  return registry.get(new URL(res.url).origin)?.violations(res) ?? [];
}

/** Throws a ContractError listing what in the response the service's document does not allow. */
export function assertContract(res: ContractResponse): void {
  const problems = contractViolations(res);
  if (problems.length > 0) {
    throw new ContractError(`response breaks the service's OpenAPI document:\n  ${problems.join('\n  ')}`);
  }
}

/** fetch() whose responses from a registered service are contract-checked (the body stays readable). */
export async function checkedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await fetch(input, init);
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (registry.has(new URL(url).origin)) {
    const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
    assertContract({
      method,
      url: res.url || url,
      status: res.status,
      contentType: res.headers.get('content-type'),
      correlationId: res.headers.get('x-correlation-id'),
      text: await res.clone().text(),
    });
  }
  return res;
}
