import Redis from 'ioredis';

/**
 * One ioredis connection per process. `keyPrefix` applies to commands and to KEYS of Lua scripts,
 * which is what lets several test runs share one Redis without seeing each other's keys.
 */
export function createRedis(url: string, keyPrefix: string): Redis {
  return new Redis(url, {
    keyPrefix,
    maxRetriesPerRequest: 2,
    enableReadyCheck: true,
    lazyConnect: false,
  });
}
