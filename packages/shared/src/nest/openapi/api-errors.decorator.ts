import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ERROR_STATUS, ErrorCode } from '../../errors';

/** Example messages and details of each code, shown in the documents (and by Swagger UI). */
const EXAMPLES: Partial<Record<ErrorCode, { message: string; details?: Record<string, unknown> }>> = {
  'VALIDATION.FAILED': {
    message: 'Request validation failed',
    details: { fields: { quantity: ['quantity must not be greater than 999'] } },
  },
  'REQUEST.TOO_LARGE': { message: 'Request body exceeds 1 MB' },
  'REQUEST.TIMEOUT': { message: 'The request was not received in time' },
  'REQUEST.HEADERS_TOO_LARGE': { message: 'Request headers too large' },
  'ROUTE.NOT_FOUND': { message: 'No such route' },
  INTERNAL: { message: 'Internal server error' },
  'UPSTREAM.UNAVAILABLE': { message: 'The inventory service is unavailable', details: { service: 'inventory' } },
  'AUTH.UNAUTHENTICATED': { message: 'Authentication required' },
  'AUTH.INVALID_CREDENTIALS': { message: 'Wrong username or password' },
  'AUTH.TOO_MANY_ATTEMPTS': { message: 'Too many failed logins for this username; try again later', details: { retryAfterSeconds: 840 } },
  'USER.USERNAME_TAKEN': { message: 'That username is taken', details: { username: 'alice' } },
  'USER.ADDRESS_NOT_FOUND': { message: 'No such address', details: { addressId: 7 } },
  'CART.QUANTITY_LIMIT': { message: "An item's quantity cannot exceed 999", details: { skuId: 5, max: 999 } },
  'CART.TOO_MANY_ITEMS': { message: 'A cart holds at most 100 distinct items', details: { max: 100 } },
  'CART.ITEM_NOT_FOUND': { message: 'That SKU is not in the cart', details: { skuId: 5 } },
  'INVENTORY.SKU_NOT_FOUND': { message: 'No such SKU', details: { skuId: 5 } },
  'INVENTORY.STOCK_BELOW_LOCKED': {
    message: 'Stock cannot go below the units locked by open orders',
    details: { skuId: 5, stock: 10, lockedStock: 4, stockDelta: -8 },
  },
  'INVENTORY.STOCK_LIMIT': { message: 'Stock cannot exceed 1000000000', details: { skuId: 5, max: 1000000000 } },
  'INVENTORY.INSUFFICIENT_STOCK': { message: 'Not enough stock for every item; nothing was locked', details: { skuIds: [5] } },
  'INVENTORY.LOCK_NOT_FOUND': { message: 'No stock locks for this order', details: { orderSn: '7269048146335301632' } },
  'INVENTORY.LOCK_CONFLICT': {
    message: 'This order already has a lock request with different items',
    details: { orderSn: '7269048146335301632' },
  },
  'ORDER.EMPTY': { message: 'Nothing to order: no item is checked in the cart' },
  'ORDER.DUPLICATE_SUBMIT': { message: 'This order token was already used, has expired or does not exist; confirm again' },
  'ORDER.PRICE_CHANGED': { message: 'Prices changed since confirmation', details: { expectedTotal: 8880, currentTotal: 9880 } },
  'ORDER.NOT_FOUND': { message: 'No such order', details: { orderSn: '7269048146335301632' } },
  'ORDER.INVALID_TRANSITION': { message: 'The order is PAID; it cannot be cancelled', details: { orderSn: '7269048146335301632' } },
  'ORDER.NOT_PAYABLE': { message: 'This order cannot be paid', details: { orderSn: '7269048146335301632', reason: 'CANCELLED' } },
  'PAYMENT.IN_PROGRESS': {
    message: 'A payment for this order is being processed; retry shortly',
    details: { orderSn: '7269048146335301632' },
  },
  'PAYMENT.ALREADY_PAID': { message: 'This order is already paid', details: { orderSn: '7269048146335301632' } },
  'PAYMENT.NOT_FOUND': { message: 'No payment for this order', details: { orderSn: '7269048146335301632' } },
};

const EXAMPLE_CORRELATION_ID = '5f0c6a8e-2b7d-4f8e-9d43-1c2a3b4c5d6e';

/** The name of the component schema (and example) of one code's error body. */
export const errorComponentName = (code: string): string => `Error_${code}`;
const REF_PREFIX = '#/components/schemas/';

/** SPEC §9's error body carrying one code: a component schema of every document that uses it. */
export function errorBodySchema(code: string): Record<string, unknown> {
  return {
    type: 'object',
    description: `SPEC §9 error body with code ${code} (HTTP ${ERROR_STATUS[code as ErrorCode] ?? '?'})`,
    required: ['error'],
    additionalProperties: false,
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'correlationId'],
        additionalProperties: false,
        properties: {
          code: { type: 'string', const: code },
          message: { type: 'string', description: 'for people; clients branch on `code`' },
          details: { type: 'object', description: 'machine-readable facts about this error (which SKUs, the current total…)' },
          correlationId: { type: 'string', description: 'equal to the response header x-correlation-id' },
        },
      },
    },
  };
}

/** An example body of one code's error (a component example). */
export function errorExample(code: string): { summary: string; value: unknown } {
  const example = EXAMPLES[code as ErrorCode] ?? { message: code };
  return { summary: code, value: { error: { code, ...example, correlationId: EXAMPLE_CORRELATION_ID } } };
}

/** The response object of one status whose body is the error of one of `codes`. */
export function errorResponse(codes: readonly string[]): Record<string, unknown> {
  const refs = codes.map((code) => ({ $ref: `${REF_PREFIX}${errorComponentName(code)}` }));
  return {
    description: codes.join(', '),
    content: {
      'application/json': {
        schema: refs.length === 1 ? refs[0] : { oneOf: refs },
        examples: Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/examples/${errorComponentName(code)}` }])),
      },
    },
  };
}

/** The codes an error response made by errorResponse() carries. */
export function codesOfErrorResponse(response: { content?: Record<string, { schema?: Record<string, unknown> }> } | undefined): string[] {
  const schema = response?.content?.['application/json']?.schema;
  const refs: Array<{ $ref?: unknown }> = (schema?.oneOf as Array<{ $ref?: unknown }> | undefined) ?? (schema ? [schema] : []);
  return refs
    .map((r) => (typeof r.$ref === 'string' ? r.$ref : ''))
    .filter((ref) => ref.startsWith(`${REF_PREFIX}Error_`))
    .map((ref) => ref.slice(`${REF_PREFIX}Error_`.length));
}

/** The codes grouped by the HTTP status each one implies (ERROR_STATUS). */
export function codesByStatus(codes: readonly ErrorCode[]): Map<number, ErrorCode[]> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_STATUS[code];
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) {
      list.push(code);
    }
    byStatus.set(status, list);
  }
  return byStatus;
}

/**
 * Documents the domain errors an operation can answer with: one response per HTTP status, whose
 * body is SPEC §9's error with `code` limited to the codes given for that status. The pipeline's
 * own errors (malformed input, body too large, timeouts, 500, and 401 from the access decorators)
 * are added to every operation by the document builder, so list only what this route's code throws
 * (including codes relayed from a service it calls).
 */
export function ApiErrors(...codes: ErrorCode[]): MethodDecorator & ClassDecorator {
  const decorators = [...codesByStatus(codes)].map(([status, list]) => ApiResponse({ status, ...errorResponse(list) }));
  return applyDecorators(...decorators);
}
