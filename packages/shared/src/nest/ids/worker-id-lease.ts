import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { MAX_WORKER_ID } from './snowflake';

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * A snowflake worker id leased from Redis (SET NX with a TTL, renewed by its holder), so two live
 * instances can never generate with the same worker id. If renewal fails — Redis unreachable or
 * the lease lost — `workerId()` throws until a lease is held again: no id rather than a duplicate.
 */
export class WorkerIdLease {
  private readonly holder = randomUUID();
  private id: number | null = null;
  private validUntil = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
    private readonly ttlMs = 30000,
  ) {}

  private key(id: number): string {
    return `snowflake-worker:${this.namespace}:${id}`;
  }

  async acquire(): Promise<number> {
    const start = Math.floor(Math.random() * (MAX_WORKER_ID + 1));
    for (let i = 0; i <= MAX_WORKER_ID; i++) {
      const candidate = (start + i) % (MAX_WORKER_ID + 1);
      if ((await this.redis.set(this.key(candidate), this.holder, 'PX', this.ttlMs, 'NX')) === 'OK') {
        this.id = candidate;
        this.validUntil = Date.now() + this.ttlMs;
        this.timer = setInterval(() => void this.renew(), Math.floor(this.ttlMs / 3));
        this.timer.unref();
        return candidate;
      }
    }
    throw new Error('no free snowflake worker id (all 1024 leased)');
  }

  private async renew(): Promise<void> {
    if (this.id === null) {
      return;
    }
    try {
      const ok = await this.redis.eval(RENEW, 1, this.key(this.id), this.holder, this.ttlMs);
      if (ok === 1) {
        this.validUntil = Date.now() + this.ttlMs;
      } else {
        this.validUntil = 0; // someone else holds it now: stop using it
      }
    } catch {
      // Unreachable Redis: keep the id only while the last successful lease lasts.
    }
  }

  /** The leased worker id; throws when the lease is not (or no longer) certainly ours. */
  workerId(): number {
    // A safety margin of a third of the TTL covers clock drift between us and Redis.
    if (this.id === null || Date.now() > this.validUntil - this.ttlMs / 3) {
      throw new Error('snowflake worker id lease is not held');
    }
    return this.id;
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    if (this.id !== null) {
      await this.redis.eval(RELEASE, 1, this.key(this.id), this.holder).catch(() => undefined);
      this.id = null;
    }
  }
}
