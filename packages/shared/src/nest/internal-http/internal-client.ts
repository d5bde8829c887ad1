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
 * Service-to-service HTTP over Node's built-in fetch (undici). Propagates the correlation id,
 * turns a downstream domain error back into the same DomainError (so `INVENTORY.SKU_NOT_FOUND`
 * from inventory reaches the storefront unchanged), and a dead or garbled downstream into 503.
 */
export class InternalClient {
  constructor(
    private readonly service: string,
    private readonly baseUrl: string,
    private readonly internalToken: string,
  ) {}

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
    let res: Response;
    let text: string;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      // The body is part of the answer: a timeout or reset while it arrives is the same "no answer"
      // (a 503 the caller handles — e.g. by releasing a lock that may have committed), never a 500.
      text = await res.text();
    } catch {
      throw new UpstreamUnavailableError(this.service);
    }
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new UpstreamUnavailableError(this.service);
    }
    if (res.ok) {
      return json as T;
    }
    const error = (json as { error?: { code?: unknown; message?: unknown; details?: Record<string, unknown> } })?.error;
    if (res.status < 500 && error && isErrorCode(error.code) && !isDeploymentFault(error.code)) {
      throw new DomainError(error.code, typeof error.message === 'string' ? error.message : error.code, error.details);
    }
    throw new UpstreamUnavailableError(this.service);
  }
}
