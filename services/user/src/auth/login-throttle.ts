import type Redis from 'ioredis';

export const MAX_FAILURES = 5;
export const WINDOW_SECONDS = 15 * 60;

/**
 * Reserves one login attempt for a username, atomically. The count includes attempts in flight,
 * so 20 concurrent wrong passwords cannot slip past the limit between a read and a write.
 * Returns -1 when allowed, otherwise the seconds until the window ends.
 */
const RESERVE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n >= tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return ttl
end
n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
return -1
`;

/** A successful attempt gives its reservation back: only failures count towards the limit. */
const RELEASE = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

export class LoginThrottle {
  constructor(private readonly redis: Redis) {}

  private key(username: string): string {
    return `login-failures:${username}`; // usernames are case-sensitive
  }

  async reserve(username: string): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }> {
    const result = (await this.redis.eval(RESERVE, 1, this.key(username), MAX_FAILURES, WINDOW_SECONDS)) as number;
    return result < 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: result };
  }

  async succeeded(username: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.key(username));
  }
}
