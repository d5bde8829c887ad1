import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { REDIS, Snowflake, WorkerIdLease } from '@shop/shared/nest';
import type Redis from 'ioredis';

/** Order tokens / order numbers: snowflake ids whose worker id is leased from Redis per instance. */
@Injectable()
export class OrderSnGenerator implements OnModuleInit, OnModuleDestroy {
  private readonly lease: WorkerIdLease;
  private readonly snowflake: Snowflake;

  constructor(@Inject(REDIS) redis: Redis) {
    this.lease = new WorkerIdLease(redis, 'order');
    this.snowflake = new Snowflake(() => this.lease.workerId());
  }

  async onModuleInit(): Promise<void> {
    await this.lease.acquire();
  }

  async onModuleDestroy(): Promise<void> {
    await this.lease.release();
  }

  next(): Promise<string> {
    return this.snowflake.next();
  }
}
