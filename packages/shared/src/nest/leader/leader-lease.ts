import type Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Metrics } from '../metrics/metrics';

/** Takes the lease if free, renews it if ours: 1 = acquired now, 2 = renewed, 0 = someone else's. */
const ACQUIRE_OR_RENEW = `
local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 2
end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface LeaderLeaseOptions {
  name: string;
  ttlMs: number;
  /**
   * Called when this instance has just taken the lease: returns the new fencing token (a monotonic
   * epoch), advanced in the database the leader writes to. Every write of the leader's job checks
   * it in the same transaction, so a paused old leader — whose lease lapsed while it slept —
   * cannot write after the new leader advanced the epoch. The epoch lives in the DATABASE, not in
   * Redis: Redis may forget it (it keeps nothing on disk here), the fence must not.
   */
  advanceFence: () => Promise<number>;
}

/**
 * The ONE leader lease (Redis `SET NX PX` + renewal by a compare-and-extend script). It only
 * decides who should run a job; correctness never depends on it: the job's writes are conditional
 * and fenced. The lease lapses by itself when its holder dies (kill -9), and another instance takes
 * over at its next renewal attempt (every ttl/3).
 */
export class LeaderLease {
  private readonly owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private epoch: number | null = null;
  /** Local deadline of the lease as last renewed, short of the TTL to allow for clock drift and the round trip. */
  private validUntil = 0;
  private timer?: NodeJS.Timeout;
  private renewing?: Promise<void>;
  private readonly gauge;

  constructor(
    private readonly redis: Redis,
    private readonly options: LeaderLeaseOptions,
    private readonly logger: Logger,
    metrics: Metrics,
  ) {
    this.gauge = metrics.gauge('leader_lease_is_leader', '1 while this instance holds the lease', ['lease']);
    this.gauge.set({ lease: options.name }, 0);
  }

  private get key(): string {
    return `leader:${this.options.name}`;
  }

  /** The fencing token while this instance holds a live lease, else null. */
  get fencingToken(): number | null {
    return this.epoch !== null && Date.now() < this.validUntil ? this.epoch : null;
  }

  start(): void {
    const every = Math.max(100, Math.floor(this.options.ttlMs / 3));
    const tick = (): void => {
      this.renewing = this.renew().finally(() => {
        this.renewing = undefined;
        this.timer = setTimeout(tick, every);
      });
    };
    tick();
  }

  /** One acquire-or-renew round now. */
  async renew(): Promise<void> {
    const startedAt = Date.now();
    try {
      const r = await this.redis.eval(ACQUIRE_OR_RENEW, 1, this.key, this.owner, this.options.ttlMs);
      if (r === 0) {
        this.lose('held by another instance');
        return;
      }
      if (r === 1 || this.epoch === null) {
        this.epoch = await this.options.advanceFence();
        this.logger.info({ lease: this.options.name, epoch: this.epoch }, 'leader lease acquired');
      }
      this.validUntil = startedAt + Math.floor(this.options.ttlMs * 0.8);
      this.gauge.set({ lease: this.options.name }, 1);
    } catch (err) {
      // Redis or the fence unreachable: we cannot know we still hold it once validUntil passes.
      this.logger.warn({ err, lease: this.options.name }, 'leader lease renewal failed');
      if (Date.now() >= this.validUntil) {
        this.lose('renewal failed');
      }
    }
  }

  private lose(why: string): void {
    if (this.epoch !== null) {
      this.logger.warn({ lease: this.options.name, epoch: this.epoch, why }, 'leader lease lost');
    }
    this.epoch = null;
    this.validUntil = 0;
    this.gauge.set({ lease: this.options.name }, 0);
  }

  /**
   * The fence said another instance advanced the epoch: this instance is not the leader, whatever
   * Redis says. Give the lease up; the next round re-elects someone (maybe us, with a new epoch).
   */
  async relinquish(): Promise<void> {
    if (this.epoch !== null) {
      await this.redis.eval(RELEASE, 1, this.key, this.owner).catch(() => undefined);
    }
    this.lose('fenced out');
  }

  /** Stops renewing and hands the lease back at once (graceful shutdown: the next leader need not wait the TTL). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.renewing;
    clearTimeout(this.timer);
    if (this.epoch !== null) {
      await this.redis.eval(RELEASE, 1, this.key, this.owner).catch(() => undefined);
    }
    this.lose('stopped');
  }
}
