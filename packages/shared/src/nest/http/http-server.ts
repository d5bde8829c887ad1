import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { errorBody, ErrorCode, ERROR_STATUS } from '../../errors';
import { CORRELATION_HEADER } from '../context/correlation';

export interface HttpTimeouts {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/** What Node's own HTTP layer refused, as our error code (SPEC §9). */
export function clientErrorCode(err: NodeJS.ErrnoException): { code: ErrorCode; message: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'REQUEST.TIMEOUT', message: 'The request did not arrive in time' };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'REQUEST.HEADERS_TOO_LARGE', message: 'Request headers too large' };
    default:
      return { code: 'VALIDATION.FAILED', message: 'Malformed HTTP request' };
  }
}

/**
 * Timeouts that fit an API, and SPEC §9's body for what Node's HTTP parser refuses before any
 * middleware runs (bad header syntax, duplicate Content-Length, oversized headers, timeouts).
 * Called before `listen`: the connections checker starts when the server starts listening.
 */
export function hardenHttpServer(server: Server, timeouts: HttpTimeouts, logger: Logger): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  // Node checks these every connectionsCheckingInterval (30 s by default): check every second so
  // that a timeout is enforced within a second of falling due.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(1000, timeouts.headersTimeoutMs);
  // Ours replaces the framework's listener (Fastify's answers with a body of its own).
  server.removeAllListeners('clientError');
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }) => {
    if (err.code === 'ECONNRESET' || !socket.writable || (socket.bytesWritten ?? 0) > 0) {
      // Gone, or a response is already on the wire: nothing sensible can be added to it.
      socket.destroy();
      return;
    }
    const correlationId = randomUUID();
    const { code, message } = clientErrorCode(err);
    const status = ERROR_STATUS[code];
    logger.info({ correlationId, code, reason: err.code }, 'refused by the HTTP parser');
    const body = JSON.stringify(errorBody(code, message, correlationId));
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'content-type: application/json; charset=utf-8\r\n' +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `${CORRELATION_HEADER}: ${correlationId}\r\n` +
        'connection: close\r\n\r\n' +
        body,
    );
  });
}
