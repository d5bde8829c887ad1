import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The correlation id of the work in progress (an HTTP request, a consumed event, a job run),
 * carried through async calls so that log lines, error bodies, outgoing calls and events share it.
 */
const storage = new AsyncLocalStorage<{ correlationId: string; causationId?: string }>();

export const CORRELATION_HEADER = 'x-correlation-id';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** `causationId`: the eventId being handled, when the work is a consumer's (events it emits point back to it). */
export function runWithCorrelationId<T>(correlationId: string | undefined, fn: () => T, causationId?: string): T {
  const id = correlationId && ACCEPTABLE.test(correlationId) ? correlationId : randomUUID();
  return storage.run({ correlationId: id, ...(causationId ? { causationId } : {}) }, fn);
}

export function currentCorrelationId(): string | undefined {
  return storage.getStore()?.correlationId;
}

/** For code that must have one (events, error bodies): falls back to a fresh id. */
export function correlationIdOrNew(): string {
  return currentCorrelationId() ?? randomUUID();
}

/** Correlation and causation of an event emitted now (SPEC §8 envelope). */
export function eventMeta(): { correlationId: string; causationId?: string } {
  const causationId = storage.getStore()?.causationId;
  return { correlationId: correlationIdOrNew(), ...(causationId ? { causationId } : {}) };
}
