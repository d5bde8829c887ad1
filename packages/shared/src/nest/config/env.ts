import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/**
 * Environment variables every service reads. Each service extends this class with its own; the
 * result is validated once at boot and then read only through the typed object.
 */
/**
 * A boolean variable: exactly true/false/1/0. (Implicit conversion would make "false" true, and
 * anything else is reported rather than guessed.) Reads the raw string, not the converted value.
 */
export function EnvBoolean(): PropertyDecorator {
  return Transform(({ obj, key }: { obj: Record<string, unknown>; key: string }) => {
    const raw = obj[key];
    if (typeof raw === 'boolean') {
      return raw;
    }
    return raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : raw;
  });
}

export class CommonEnv {
  @IsString()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL: string = 'redis://127.0.0.1:6379';

  /** Prefix for every Redis key of this deployment (lets several test runs share one Redis). */
  @IsString()
  @Matches(/^[A-Za-z0-9:_-]*$/)
  REDIS_KEY_PREFIX: string = '';

  @IsString()
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be host:port[,host:port…]' })
  KAFKA_BROKERS: string = '127.0.0.1:9092';

  /** Prefix for every Kafka topic and consumer group of this deployment (lets test systems share one broker). */
  @IsString()
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may hold letters, digits, ".", "_" and "-" only' })
  KAFKA_TOPIC_PREFIX: string = '';

  /** How often an idle outbox relay looks for new rows (a full batch is followed at once). */
  @IsInt()
  @Min(5)
  @Max(60000)
  OUTBOX_POLL_INTERVAL_MS: number = 50;

  /** Attempts of one event by a consumer before it goes to the dead-letter topic. */
  @IsInt()
  @Min(1)
  @Max(100)
  CONSUMER_MAX_ATTEMPTS: number = 5;

  /** First retry delay of a failing event; doubles per attempt. */
  @IsInt()
  @Min(1)
  @Max(60000)
  CONSUMER_RETRY_BASE_MS: number = 200;

  /** Events one inbox transaction may carry, for consumers that opt in (`batched: true`); 1 turns it off. */
  @IsInt()
  @Min(1)
  @Max(500)
  CONSUMER_BATCH_SIZE: number = 50;

  /** Fault injection for failure tests only (see nest/testing-hooks/failpoints.ts); empty in production. */
  @IsString()
  @Matches(/^([a-z.-]+:[A-Za-z0-9._-]+(,[a-z.-]+:[A-Za-z0-9._-]+)*)?$/, { message: 'FAILPOINTS must be name:arg[,name:arg…]' })
  FAILPOINTS: string = '';

  @IsString()
  @MinLength(16, { message: 'INTERNAL_TOKEN must be at least 16 characters' })
  INTERNAL_TOKEN: string = 'dev-internal-token-change-me';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  /** Write logs to this file instead of stdout (operators' choice; tests read security events from it). */
  @IsOptional()
  @IsString()
  LOG_FILE?: string = undefined;

  @IsInt()
  @Min(60)
  @Max(60 * 60 * 24 * 30)
  SESSION_TTL_SECONDS: number = 86400;

  @IsOptional()
  @IsString()
  NODE_ENV?: string;
}

export class EnvValidationError extends Error {}

/**
 * Builds a validated config object from `source` (process.env by default). Unset variables take
 * the class's defaults; every bad value is reported at once, one line each, naming the variable.
 */
export function loadEnv<T extends object>(cls: new () => T, source: NodeJS.ProcessEnv = process.env): T {
  // Every variable is a class field (optional ones initialised to undefined), so the keys of a
  // fresh instance are exactly the variables this service reads.
  const defaults = new cls();
  const present: Record<string, string> = {};
  for (const key of Object.keys(defaults)) {
    const value = source[key];
    if (value !== undefined && value !== '') {
      present[key] = value;
    }
  }
  const instance = plainToInstance(cls, { ...defaults, ...present }, { enableImplicitConversion: true });
  const errors = validateSync(instance, { whitelist: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => {
      const got = present[e.property] !== undefined ? JSON.stringify(present[e.property]) : '(unset)';
      return `  ${e.property}=${got}: ${Object.values(e.constraints ?? {}).join('; ')}`;
    });
    throw new EnvValidationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return instance;
}
