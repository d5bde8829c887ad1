// Test helpers (never imported by production code).
export * from './kafka-topics';
export * from './contract';
import { assertContract } from './contract';
import { randomBytes } from 'node:crypto';
import { cloneDatabase, databaseNameOf, dropDatabase } from '../db';

export type DatabaseService = 'USER' | 'INVENTORY' | 'ORDER' | 'PAYMENT';

/**
 * A private database for one test file, cloned from the migrated template the global setup made
 * (`<SERVICE>_DATABASE_URL_TEMPLATE`). Cloning takes milliseconds, so each file starts clean.
 */
export async function createTestDatabase(service: DatabaseService): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = process.env[`${service}_DATABASE_URL_TEMPLATE`];
  if (!template) {
    throw new Error(`${service}_DATABASE_URL_TEMPLATE is not set: run tests through jest's global setup (npm test)`);
  }
  const name = `${databaseNameOf(template).replace(/_template$/, '')}_t_${randomBytes(5).toString('hex')}`;
  const url = await cloneDatabase(template, name);
  return { url, drop: () => dropDatabase(url) };
}

/** A Redis key prefix of its own, so test files sharing one Redis never see each other's keys. */
export function uniqueRedisPrefix(): string {
  return `test:${randomBytes(4).toString('hex')}:`;
}

export function uniqueName(prefix = 'u'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Polls until `check` returns a truthy value or the deadline passes: a condition, not a sleep. */
export async function pollUntil<T>(
  check: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  { timeoutMs = 10000, intervalMs = 50, what = 'condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) {
        return value;
      }
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

/**
 * A tiny JSON HTTP client for tests that talk to real listening services. Responses of a service
 * registered with registerContract() are checked against its OpenAPI document (throws ContractError).
 */
export async function http<T = any>(
  method: string,
  url: string,
  options: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) {
    headers.authorization = `Bearer ${options.token}`;
  }
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
  }
  if (body !== undefined && !headers['content-type']) {
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, { method, headers, body });
  const text = await res.text();
  // Every answer of a service the test registered must be what its OpenAPI document says.
  assertContract({
    method,
    url: res.url || url, // as fetch sent it (dot segments resolved)
    status: res.status,
    contentType: res.headers.get('content-type'),
    correlationId: res.headers.get('x-correlation-id'),
    text,
  });
  let parsed: any = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}
