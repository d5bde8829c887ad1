import type Redis from 'ioredis';
import Redlock, { ExecutionError, Lock } from 'redlock';

/**
 * Redlock around a critical section. It keeps contenders from piling onto the same order or trade;
 * it is NOT what makes the result correct: a lock can expire while its holder is paused (GC, a
 * slow query), so every guarded write is also a conditional UPDATE or a unique insert that the
 * database enforces on its own.
 */
export class LockService {
  private readonly redlock: Redlock;

  constructor(redis: Redis) {
    // retryCount 0: a busy lock is reported to the caller (e.g. 409 PAYMENT.IN_PROGRESS), not awaited.
    this.redlock = new Redlock([redis], { retryCount: 0, driftFactor: 0.01, automaticExtensionThreshold: 200 });
    // Redlock emits errors for failed extensions; they are handled where the lock is used.
    this.redlock.on('error', () => undefined);
  }

  /** Runs `fn` under the lock, or returns `busy` without running it when someone else holds it. */
  async tryWithLock<T>(key: string, ttlMs: number, fn: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
    let lock: Lock;
    try {
      lock = await this.redlock.acquire([`lock:${key}`], ttlMs);
    } catch (err) {
      if (err instanceof ExecutionError) {
        return { busy: true };
      }
      throw err;
    }
    try {
      return { busy: false, value: await fn() };
    } finally {
      await lock.release().catch(() => undefined); // expired already: the database guards correctness
    }
  }
}
