import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

export interface Session {
  userId: number;
  username: string;
}

const key = (token: string): string => `session:${token}`;

/** Login sessions in Redis: an opaque random token → the user, with a TTL. Shared by every service's guard. */
export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  async create(session: Session): Promise<{ token: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(key(token), JSON.stringify(session), 'EX', this.ttlSeconds);
    return { token, expiresAt: new Date(Date.now() + this.ttlSeconds * 1000) };
  }

  async get(token: string): Promise<Session | null> {
    if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) {
      return null;
    }
    const raw = await this.redis.get(key(token));
    return raw ? (JSON.parse(raw) as Session) : null;
  }

  /** Deleting the key ends that session everywhere at once: every guard reads Redis per request. */
  async revoke(token: string): Promise<void> {
    await this.redis.del(key(token));
  }
}
