/**
 * The one table of error codes and their HTTP statuses (SPEC §9). Services throw DomainErrors
 * carrying one of these codes; the global exception filter turns the code into the status.
 */
export const ERROR_STATUS = {
  'VALIDATION.FAILED': 400,
  'REQUEST.TOO_LARGE': 413,
  /** The client stopped sending its headers or body (HTTP_HEADERS_TIMEOUT_MS / HTTP_REQUEST_TIMEOUT_MS). */
  'REQUEST.TIMEOUT': 408,
  'REQUEST.HEADERS_TOO_LARGE': 431,
  'ROUTE.NOT_FOUND': 404,
  INTERNAL: 500,
  'UPSTREAM.UNAVAILABLE': 503,

  'AUTH.UNAUTHENTICATED': 401,
  'AUTH.INVALID_CREDENTIALS': 401,
  'AUTH.TOO_MANY_ATTEMPTS': 429,

  'USER.USERNAME_TAKEN': 409,
  'USER.ADDRESS_NOT_FOUND': 404,

  'CART.QUANTITY_LIMIT': 400,
  'CART.TOO_MANY_ITEMS': 400,
  'CART.ITEM_NOT_FOUND': 404,

  'INVENTORY.SKU_NOT_FOUND': 404,
  'INVENTORY.STOCK_BELOW_LOCKED': 409,
  'INVENTORY.STOCK_LIMIT': 409,
  'INVENTORY.INSUFFICIENT_STOCK': 409,
  'INVENTORY.LOCK_NOT_FOUND': 404,
  'INVENTORY.LOCK_CONFLICT': 409,
  'INVENTORY.PRICE_CHANGED': 409,

  'ORDER.EMPTY': 400,
  'ORDER.DUPLICATE_SUBMIT': 409,
  'ORDER.PRICE_CHANGED': 409,
  'ORDER.NOT_FOUND': 404,
  'ORDER.INVALID_TRANSITION': 409,
  'ORDER.NOT_PAYABLE': 409,

  'PAYMENT.IN_PROGRESS': 409,
  'PAYMENT.ALREADY_PAID': 409,
  'PAYMENT.NOT_FOUND': 404,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function statusOf(code: ErrorCode): number {
  return ERROR_STATUS[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}
