import type Redis from 'ioredis';
import type { Admin, Kafka } from 'kafkajs';
import { ReadinessCheck, withTimeout } from './readiness';

export class RedisReadiness implements ReadinessCheck {
  readonly name = 'redis';
  constructor(private readonly redis: Redis) {}
  async ping(): Promise<void> {
    await withTimeout(this.redis.ping(), 1000, 'redis');
  }
}

/** Keeps one admin connection and asks the cluster for its brokers. */
export class KafkaReadiness implements ReadinessCheck {
  readonly name = 'kafka';
  private admin?: Admin;
  constructor(private readonly kafka: Kafka) {}

  async ping(): Promise<void> {
    try {
      if (!this.admin) {
        this.admin = this.kafka.admin();
        await withTimeout(this.admin.connect(), 3000, 'kafka');
      }
      await withTimeout(this.admin.describeCluster(), 3000, 'kafka');
    } catch (err) {
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}
