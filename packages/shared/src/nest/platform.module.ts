import { DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnApplicationShutdown, Optional, Type } from '@nestjs/common';
import { APP_GUARD, ModuleRef } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { AccessGuard } from './auth/access.guard';
import { SessionStore } from './auth/session-store';
import { CommonEnv } from './config/env';
import { HealthController, READINESS_CHECKS } from './health/health.controller';
import { KafkaReadiness, RedisReadiness } from './health/platform-checks';
import { ReadinessCheck } from './health/readiness';
import { createKafka } from './kafka/kafka.factory';
import { createLogger } from './logging/logger';
import { Metrics, MetricsController } from './metrics/metrics';
import { createRedis } from './redis/redis.factory';
import { LockService } from './redis/lock.service';
import { KAFKA, LOGGER, PLATFORM_CONFIG, REDIS } from './redis/redis.tokens';
import { EventConsumerFactory } from './kafka/event-consumer.factory';
import { Failpoints } from './failpoints/failpoints';
import { OutboxRelay } from './outbox/outbox-relay';

export interface PlatformOptions {
  service: string;
  config: CommonEnv;
  /** Service-specific dependencies for `/health/ready` (e.g. its Prisma client), resolved lazily. */
  readiness?: Array<Type<ReadinessCheck>>;
  /** A service that writes outbox rows runs the relay over its own database. */
  outbox?: { databaseUrl: string };
}

@Injectable()
class PlatformLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(READINESS_CHECKS) private readonly checks: () => ReadinessCheck[],
    @Optional() private readonly relay?: OutboxRelay,
  ) {}

  onApplicationBootstrap(): void {
    this.relay?.start();
  }

  /** Last of all (after the HTTP server closed): the relay flushes what the final requests wrote. */
  async onApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    for (const check of this.checks()) {
      if (check instanceof KafkaReadiness) {
        await check.close();
      }
    }
    await this.redis.quit().catch(() => undefined);
  }
}

/**
 * Everything a service needs besides its own features: config, logger, Redis, sessions and the
 * global access guard, Redlock, Kafka client, health and metrics endpoints.
 */
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const logger = createLogger(options.service, options.config.LOG_LEVEL, options.config.LOG_FILE);
    const readinessTypes = options.readiness ?? [];
    return {
      module: PlatformModule,
      global: true,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: PLATFORM_CONFIG, useValue: options.config },
        { provide: LOGGER, useValue: logger },
        { provide: Metrics, useValue: new Metrics(options.service) },
        { provide: REDIS, useFactory: () => createRedis(options.config.REDIS_URL, options.config.REDIS_KEY_PREFIX) },
        { provide: KAFKA, useFactory: () => createKafka(options.service, options.config.KAFKA_BROKERS, logger) },
        { provide: SessionStore, inject: [REDIS], useFactory: (r: Redis) => new SessionStore(r, options.config.SESSION_TTL_SECONDS) },
        { provide: LockService, inject: [REDIS], useFactory: (r: Redis) => new LockService(r) },
        {
          provide: READINESS_CHECKS,
          inject: [REDIS, KAFKA, ModuleRef],
          useFactory: (redis: Redis, kafka: Kafka, moduleRef: ModuleRef) => {
            const platform: ReadinessCheck[] = [new RedisReadiness(redis), new KafkaReadiness(kafka)];
            return () => [...readinessTypes.map((t) => moduleRef.get(t, { strict: false })), ...platform];
          },
        },
        { provide: Failpoints, useValue: new Failpoints(options.config.FAILPOINTS) },
        EventConsumerFactory,
        ...(options.outbox
          ? [
              {
                provide: OutboxRelay,
                inject: [KAFKA, Metrics],
                useFactory: (kafka: Kafka, metrics: Metrics) =>
                  new OutboxRelay(
                    kafka,
                    {
                      service: options.service,
                      databaseUrl: options.outbox!.databaseUrl,
                      topicPrefix: options.config.KAFKA_TOPIC_PREFIX,
                      pollIntervalMs: options.config.OUTBOX_POLL_INTERVAL_MS,
                    },
                    logger.child({ component: 'outbox-relay' }),
                    metrics,
                  ),
              },
            ]
          : []),
        { provide: APP_GUARD, useClass: AccessGuard },
        PlatformLifecycle,
      ],
      exports: [
        PLATFORM_CONFIG,
        LOGGER,
        Metrics,
        REDIS,
        KAFKA,
        SessionStore,
        LockService,
        Failpoints,
        EventConsumerFactory,
        ...(options.outbox ? [OutboxRelay] : []),
      ],
    };
  }
}
