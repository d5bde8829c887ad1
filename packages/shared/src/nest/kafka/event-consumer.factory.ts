import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { Topic } from '../../events';
import { CommonEnv } from '../config/env';
import { Failpoints } from '../failpoints/failpoints';
import { Metrics } from '../metrics/metrics';
import { KAFKA, LOGGER, PLATFORM_CONFIG } from '../redis/redis.tokens';
import { EventConsumer, EventHandlers } from './event-consumer';
import { Inbox } from './inbox';

/**
 * Builds a service's consumer with the platform's Kafka client, configuration (topic prefix,
 * attempts, backoff), logger, metrics and failpoints. The service's own consumer provider starts it
 * on bootstrap and stops it in onModuleDestroy — before the (global) Prisma client disconnects.
 */
@Injectable()
export class EventConsumerFactory {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(PLATFORM_CONFIG) private readonly config: CommonEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly failpoints: Failpoints,
  ) {}

  /**
   * `batched`: consecutive events share one inbox transaction (up to CONSUMER_BATCH_SIZE); only for
   * pure database effects. `waitOutUpstreamOutages`: see EventConsumerOptions.
   */
  create(spec: {
    name: string;
    topics: readonly Topic[];
    handlers: EventHandlers;
    inbox: Inbox;
    batched?: boolean;
    waitOutUpstreamOutages?: boolean;
  }): EventConsumer {
    const { batched, ...rest } = spec;
    return new EventConsumer(
      this.kafka,
      {
        ...rest,
        batchSize: batched ? this.config.CONSUMER_BATCH_SIZE : 1,
        topicPrefix: this.config.KAFKA_TOPIC_PREFIX,
        maxAttempts: this.config.CONSUMER_MAX_ATTEMPTS,
        retryBaseMs: this.config.CONSUMER_RETRY_BASE_MS,
      },
      this.logger.child({ consumer: spec.name }),
      this.metrics,
      this.failpoints,
    );
  }
}
