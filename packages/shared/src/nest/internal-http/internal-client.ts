import { Pool } from 'undici';
import { DomainError, isErrorCode, UpstreamUnavailableError } from '../../errors';
import { CORRELATION_HEADER, currentCorrelationId } from '../context/correlation';

/**
 * A downstream 401 or unknown route means OUR deployment is wrong (internal token, URL), not the
 * caller's request: passing it through would tell a buyer their own session is invalid.
 */
function isDeploymentFault(code: string): boolean {
  return code.startsWith('AUTH.') || code.startsWith('ROUTE.') || code.startsWith('REQUEST.');
}

export interface InternalCallOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  body?: unknown;
  timeoutMs?: number;
  /** Send `x-internal-token` (for /internal and /admin routes). */
  internal?: boolean;
}

/**
 * Service-to-service HTTP over one undici connection pool per downstream (keep-alive, at most
 * `connections` sockets): `pool.request` instead of `fetch`, whose WHATWG Request/Response/stream
 * machinery was the largest single cost of the order service under load (issue 9's profile).
 * Propagates the correlation id,
 * turns a downstream domain error back into the same DomainError (so `INVENTORY.SKU_NOT_FOUND`
 * from inventory reaches the storefront unchanged), and a dead or garbled downstream into 503.
 */
export class InternalClient {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(
    private readonly service: string,
    baseUrl: string,
    private readonly internalToken: string,
    connections = 64,
  ) {
    const url = new URL(baseUrl);
    this.basePath = url.pathname.replace(/\/$/, '');
    // Idle sockets are unref'd by undici: the pool never keeps a stopping process alive.
    this.pool = new Pool(url.origin, { connections, keepAliveTimeout: 10_000 });
  }

  /** Closes the pooled connections (tests that start and stop many clients). */
  close(): Promise<void> {
    return this.pool.close();
  }

  async call<T>(path: string, options: InternalCallOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const correlationId = currentCorrelationId();
    if (correlationId) {
      headers[CORRELATION_HEADER] = correlationId;
    }
    if (options.internal !== false) {
      headers['x-internal-token'] = this.internalToken;
    }
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    let status: number;
    let text: string;
    const timeoutMs = options.timeoutMs ?? 5000;
    try {
      // undici's own timers (no answer within timeoutMs; the body stalling for timeoutMs) instead
      // of an AbortSignal.timeout per call, whose signal, timer and listeners were ~3 % of the order
      // service's busy time under the end-to-end bench (docs/benchmarks.md).
      const res = await this.pool.request({
        path: `${this.basePath}${path}`,
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      status = res.statusCode;
      // The body is part of the answer: a timeout or reset while it arrives is the same "no answer"
      // (a 503 the caller handles — e.g. by releasing a lock that may have committed), never a 500.
      text = await res.body.text();
    } catch {
      throw new UpstreamUnavailableError(this.service);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new UpstreamUnavailableError(this.service);
    }
    if (status >= 200 && status < 300) {
      return json as T;
    }
    const error = (json as { error?: { code?: unknown; message?: unknown; details?: Record<string, unknown> } })?.error;
    if (status < 500 && error && isErrorCode(error.code) && !isDeploymentFault(error.code)) {
      throw new DomainError(error.code, typeof error.message === 'string' ? error.message : error.code, error.details);
    }
    throw new UpstreamUnavailableError(this.service);
  }
}
