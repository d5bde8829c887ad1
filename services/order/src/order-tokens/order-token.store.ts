import { Inject, Injectable } from '@nestjs/common';
import { PLATFORM_CONFIG, REDIS } from '@shop/shared/nest';
import type Redis from 'ioredis';
import { OrderEnv } from '../config/order-env';

/**
 * Anti-resubmit tokens. Confirm stores a token for the user with a TTL; submit spends it with ONE
 * Lua script that checks the owner and deletes in the same atomic step — of N concurrent submits
 * with the same token exactly one gets past this line. (A GET followed by a DEL would let two
 * requests both see the token before either deleted it.)
 */
const SPEND = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

@Injectable()
export class OrderTokenStore {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PLATFORM_CONFIG) private readonly config: OrderEnv,
  ) {}

  private key(token: string): string {
    return `order-token:${token}`;
  }

  async issue(userId: number, token: string): Promise<void> {
    await this.redis.set(this.key(token), String(userId), 'EX', this.config.ORDER_TOKEN_TTL_SECONDS);
  }

  /** True exactly once per issued token, and only for its owner. */
  async spend(userId: number, token: string): Promise<boolean> {
    return (await this.redis.eval(SPEND, 1, this.key(token), String(userId))) === 1;
  }
}
