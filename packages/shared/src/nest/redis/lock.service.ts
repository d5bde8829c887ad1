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

  /**
   * Runs `fn` under the lock, waiting up to `waitMs` for it; `busy` (and `fn` not run) if it
   * stays taken. waitMs 0 = a single attempt.
   */
  async tryWithLock<T>(key: string, ttlMs: number, fn: () => Promise<T>, waitMs = 0): Promise<{ busy: true } | { busy: false; value: T }> {
    let lock: Lock;
    try {
      const retryDelay = 25;
      lock = await this.redlock.acquire([`lock:${key}`], ttlMs, {
        retryCount: Math.ceil(waitMs / retryDelay),
        retryDelay,
        retryJitter: 20,
      });
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
