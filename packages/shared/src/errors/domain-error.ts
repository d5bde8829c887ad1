import { ErrorCode, statusOf } from './error-codes';

/**
 * Base class for every expected failure. Thrown below the controller; mapped to HTTP in one place
 * (the global exception filter). `details` is part of the public error body, so never put
 * internals (SQL, stack traces, secrets) in it.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get status(): number {
    return statusOf(this.code);
  }
}

export class ValidationFailedError extends DomainError {
  constructor(message = 'Request validation failed', details?: Record<string, unknown>) {
    super('VALIDATION.FAILED', message, details);
  }
}

export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication required') {
    super('AUTH.UNAUTHENTICATED', message);
  }
}

/** A service this one depends on did not answer (or answered garbage). Retryable by the client. */
export class UpstreamUnavailableError extends DomainError {
  constructor(service: string) {
    super('UPSTREAM.UNAVAILABLE', `The ${service} service is unavailable`, { service });
  }
}

/** Error body of SPEC §9. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; correlationId: string };
}

export function errorBody(code: string, message: string, correlationId: string, details?: Record<string, unknown>): ErrorBody {
  return { error: { code, message, ...(details ? { details } : {}), correlationId } };
}
