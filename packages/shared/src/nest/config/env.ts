import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

/** Connections per service database pool unless DATABASE_POOL_SIZE says otherwise. */
export const DEFAULT_DATABASE_POOL_SIZE = 10;

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

/**
 * `development` lets the development defaults (marked `@DevelopmentDefault()`) apply; `npm start`,
 * `npm test` and docker-compose.yml select it. Anything else runs as production, where every such
 * variable must be set and development secrets are refused (see `loadEnv`).
 */
export const RUN_MODES = ['development', 'production'] as const;
export type RunMode = (typeof RUN_MODES)[number];

/** The INTERNAL_TOKEN of development mode (documented in the README, so never a secret). */
export const DEVELOPMENT_INTERNAL_TOKEN = 'dev-internal-token-change-me';

const developmentDefaults = new Map<object, Set<string>>();

/**
 * Marks a variable whose default is a development value (a committed key, a well-known token, the
 * sandbox's app id): outside development mode it must be set explicitly.
 */
export function DevelopmentDefault(): PropertyDecorator {
  return (target, key) => {
    const keys = developmentDefaults.get(target) ?? new Set<string>();
    keys.add(String(key));
    developmentDefaults.set(target, keys);
  };
}

/** The development-default variables of `cls`, its base classes' included. */
export function developmentDefaultsOf(cls: new () => object): string[] {
  const out: string[] = [];
  for (
    let proto: object | null = cls.prototype as object;
    proto && proto !== Object.prototype;
    proto = Object.getPrototypeOf(proto) as object | null
  ) {
    out.push(...(developmentDefaults.get(proto) ?? []));
  }
  return out;
}

export class CommonEnv {
  /** Unset = production: development defaults never apply by accident. */
  @IsIn(RUN_MODES, { message: `APP_ENV must be one of ${RUN_MODES.join(', ')}` })
  APP_ENV: RunMode = 'production';

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

  @DevelopmentDefault()
  @IsString()
  @MinLength(16, { message: 'INTERNAL_TOKEN must be at least 16 characters' })
  INTERNAL_TOKEN: string = DEVELOPMENT_INTERNAL_TOKEN;

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

  /** A client must finish sending its headers within this (Node's default is 60 s). */
  @IsInt()
  @Min(100)
  @Max(120000)
  HTTP_HEADERS_TIMEOUT_MS: number = 10000;

  /** …and its whole request, body included, within this (Node's default, 300 s, lets a slow or
   * lying client hold a socket for five minutes). At least HTTP_HEADERS_TIMEOUT_MS. */
  @IsInt()
  @Min(100)
  @Max(600000)
  HTTP_REQUEST_TIMEOUT_MS: number = 30000;

  /**
   * Connections in a service's database pool (user, inventory, order, payment; cart has none).
   * PostgreSQL's max_connections bounds the sum over all instances; a request that finds the pool
   * taken for too long is 503 UPSTREAM.UNAVAILABLE {service: 'database'}, not a 500.
   */
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE: number = DEFAULT_DATABASE_POOL_SIZE;

  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  /**
   * Problems beyond a single variable's rules (services add their own, e.g. key files). Called
   * after the per-variable validation passed, with the mode the configuration selected.
   */
  crossCheck(mode: RunMode): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    if (mode !== 'development' && this.INTERNAL_TOKEN === DEVELOPMENT_INTERNAL_TOKEN) {
      problems.push({
        variable: 'INTERNAL_TOKEN',
        problem: 'is the development token (documented in the README); set a secret of your own',
      });
    }
    if (this.HTTP_HEADERS_TIMEOUT_MS > this.HTTP_REQUEST_TIMEOUT_MS) {
      problems.push({ variable: 'HTTP_HEADERS_TIMEOUT_MS', problem: 'must not exceed HTTP_REQUEST_TIMEOUT_MS' });
    }
    return problems;
  }
}

/** One line of a refused configuration. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

const defaultsInUse = new WeakMap<object, string[]>();

/** The development-default variables a (development-mode) configuration took unset: announced at start. */
export function developmentDefaultsInUse(config: object): string[] {
  return defaultsInUse.get(config) ?? [];
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
  const problems: ConfigProblem[] = errors.map((e) => ({ variable: e.property, problem: Object.values(e.constraints ?? {}).join('; ') }));
  const marked = new Set(developmentDefaultsOf(cls));
  const unsetDefaults = Object.keys(defaults).filter((key) => marked.has(key) && present[key] === undefined);
  const mode: RunMode = (instance as Partial<CommonEnv>).APP_ENV === 'development' ? 'development' : 'production';
  if (mode === 'production') {
    problems.push(
      ...unsetDefaults.map((variable) => ({ variable, problem: 'required outside development mode (its default is a development value)' })),
    );
  }
  if (errors.length === 0 && instance instanceof CommonEnv) {
    // A variable already reported (e.g. unset) is not reported twice.
    const reported = new Set(problems.map((p) => p.variable));
    problems.push(...instance.crossCheck(mode).filter((p) => !reported.has(p.variable)));
  }
  if (problems.length > 0) {
    const lines = problems.map(({ variable, problem }) => {
      const got = present[variable] !== undefined ? `=${JSON.stringify(present[variable])}` : ' (unset)';
      return `  ${variable}${got}: ${problem}`;
    });
    const hint = mode === 'production' ? ' (production mode: APP_ENV is not "development")' : '';
    throw new EnvValidationError(`Invalid configuration${hint}:\n${lines.join('\n')}`);
  }
  defaultsInUse.set(instance, unsetDefaults);
  return instance;
}
