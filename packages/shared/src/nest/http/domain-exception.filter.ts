import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, errorBody, ErrorCode, ERROR_STATUS } from '../../errors';
import { correlationIdOrNew } from '../context/correlation';
import { isDatabaseSaturated } from '../prisma/prisma-errors';

/** Statuses Nest or Fastify can raise on their own, mapped onto our codes. */
const HTTP_STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION.FAILED',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.UNAUTHENTICATED',
  404: 'ROUTE.NOT_FOUND',
  405: 'ROUTE.NOT_FOUND',
  413: 'REQUEST.TOO_LARGE',
};

export interface MappedError {
  status: number;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

/** Pure mapping from anything thrown to the public error (SPEC §9). A saturated database → 503; unknown → 500 INTERNAL. */
export function mapError(err: unknown): MappedError {
  if (err instanceof DomainError) {
    return { status: err.status, code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const code = HTTP_STATUS_CODES[status];
    if (code) {
      return { status: ERROR_STATUS[code], code, message: messageFor(code, err) };
    }
  }
  // A refusal of the request by the body reader (`type`, `status`) or by Fastify itself (`FST_…`
  // code, `statusCode`): about the request, so a 4xx.
  const refusal = err as { type?: unknown; status?: unknown; code?: unknown; statusCode?: unknown };
  const reason =
    typeof refusal?.type === 'string'
      ? refusal.type
      : typeof refusal?.code === 'string' && refusal.code.startsWith('FST_')
        ? refusal.code
        : undefined;
  const refusedWith = typeof refusal?.status === 'number' ? refusal.status : refusal?.statusCode;
  if (reason !== undefined && typeof refusedWith === 'number' && refusedWith >= 400 && refusedWith < 500) {
    return refusedWith === 413
      ? { status: 413, code: 'REQUEST.TOO_LARGE', message: 'Request body exceeds 1 MB' }
      : { status: 400, code: 'VALIDATION.FAILED', message: 'Malformed request', details: { reason } };
  }
  // Overload, not a defect: the transaction never started (or was rolled back); retrying may work.
  if (isDatabaseSaturated(err)) {
    return { status: 503, code: 'UPSTREAM.UNAVAILABLE', message: 'The database is busy; try again', details: { service: 'database' } };
  }
  return { status: 500, code: 'INTERNAL', message: 'Internal server error' };
}

function messageFor(code: ErrorCode, err: HttpException): string {
  switch (code) {
    case 'ROUTE.NOT_FOUND':
      return 'No such route';
    case 'AUTH.UNAUTHENTICATED':
      return 'Authentication required';
    case 'REQUEST.TOO_LARGE':
      return 'Request body exceeds 1 MB';
    default:
      return err.message;
  }
}

/**
 * Answers with SPEC §9's JSON error body: the filter, the body reader and Fastify's URL refusals.
 * The content type is set and the body serialized here: a route's @Header('content-type', …) (the
 * return page's text/html) may already be on the reply when a pipe refuses its input.
 */
export function sendErrorReply(reply: FastifyReply, mapped: MappedError): void {
  void reply
    .status(mapped.status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(errorBody(mapped.code, mapped.message, correlationIdOrNew(), mapped.details)));
}

/**
 * The one place where errors become HTTP responses. Expected errors are logged at info level;
 * anything unexpected is logged with its stack and answered with a body that never contains it.
 */
@Catch()
export class DomainExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const mapped = mapError(err);
    if (mapped.status >= 500) {
      this.logger.error({ err }, 'unhandled error');
    } else {
      this.logger.info({ code: mapped.code, status: mapped.status }, mapped.message);
    }
    if (reply.sent || reply.raw.headersSent) {
      return;
    }
    sendErrorReply(reply, mapped);
  }
}
