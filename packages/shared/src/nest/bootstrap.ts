import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import type { FastifyReply, FastifyServerOptions } from 'fastify';
import { BODY_LIMIT_BYTES, installBodyParsers } from './http/body-parsers';
import { hardenHttpServer } from './http/http-server';
import { accessLogMiddleware } from './http/access-log.middleware';
import { correlationIdHook } from './http/correlation-id.hook';
import { DomainExceptionFilter, sendErrorReply } from './http/domain-exception.filter';
import { StrictValidationPipe } from './http/strict-validation.pipe';
import { PinoNestLogger } from './logging/logger';
import { Metrics } from './metrics/metrics';
import { CommonEnv, developmentDefaultsInUse } from './config/env';
import { LOGGER, PLATFORM_CONFIG } from './redis/redis.tokens';
import { createServiceDocument, ServiceDocumentOptions } from './openapi/service-document';
import { serveSwaggerUi } from './openapi/swagger-ui';

const QUIET_PATHS = /^\/(health|metrics)/;

/**
 * Fastify's own settings. Fastify rather than Express: per request it costs a fifth of the CPU
 * (docs/benchmarks.md, issue 9). Paths match as Express's did (a trailing slash is ignored, a
 * path parameter of any length reaches its pipe and gets a 400 there), a URL Fastify cannot
 * decode is SPEC §9's 400, and requests that arrive while the app closes are still served.
 */
export const FASTIFY_OPTIONS: FastifyServerOptions = {
  bodyLimit: BODY_LIMIT_BYTES,
  forceCloseConnections: true,
  return503OnClosing: false,
  routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
  frameworkErrors: (err, req, untyped) => {
    // Fastify answers these before any hook runs: the correlation id is taken as the hook would.
    const reply = untyped as unknown as FastifyReply;
    correlationIdHook(req, reply, () =>
      sendErrorReply(reply, { status: 400, code: 'VALIDATION.FAILED', message: 'Malformed URL', details: { reason: err.code } }),
    );
  },
};

/**
 * Creates a service's Nest app with the one pipeline every service shares (SPEC §9, §11):
 * correlation id → metrics → access log → body reading (1 MB, JSON depth 32) → guard → strict
 * validation → one exception filter; HTTP timeouts and Node's parser errors answered with the §9
 * body; OpenAPI at /docs; graceful shutdown on SIGTERM/SIGINT.
 */
export async function createServiceApp(
  rootModule: Type | DynamicModule,
  options: { title: string; description?: string; plainTextErrorPaths?: readonly string[] },
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, new FastifyAdapter(FASTIFY_OPTIONS), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  const config = app.get<CommonEnv>(PLATFORM_CONFIG);
  announceDevelopmentMode(config, logger);
  hardenHttpServer(
    app.getHttpServer(),
    { headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS },
    logger,
  );
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', correlationIdHook);
  fastify.addHook('onResponse', app.get(Metrics).onResponseHook());
  const accessLog = accessLogMiddleware(logger, QUIET_PATHS);
  fastify.addHook('onRequest', (req, reply, done) => accessLog(req.raw, reply.raw, done));
  installBodyParsers(fastify, options.plainTextErrorPaths);
  app.useGlobalPipes(new StrictValidationPipe());
  app.useGlobalFilters(new DomainExceptionFilter(logger));
  setupDocs(app, options);
  app.enableShutdownHooks();
  return app;
}

/** Development mode must never pass unnoticed: one warn line at start naming the defaults in use. */
function announceDevelopmentMode(config: CommonEnv, logger: Logger): void {
  if (config.APP_ENV === 'development') {
    logger.warn(
      { appEnv: config.APP_ENV, developmentDefaults: developmentDefaultsInUse(config) },
      'DEVELOPMENT MODE (APP_ENV=development): development defaults such as the sandbox Alipay keys and the development INTERNAL_TOKEN are accepted; never run production like this',
    );
  }
}

const DOCUMENTS = new WeakMap<INestApplication, () => OpenAPIObject>();

/** Swagger UI at /docs, the document at /docs-json (and /docs-yaml); built once, on first use. */
function setupDocs(app: NestFastifyApplication, options: ServiceDocumentOptions): void {
  let doc: OpenAPIObject | undefined;
  const document = (): OpenAPIObject => (doc ??= createServiceDocument(app, options));
  DOCUMENTS.set(app, document);
  SwaggerModule.setup('docs', app, document, { ui: false });
  serveSwaggerUi(app.getHttpAdapter().getInstance(), '/docs', '/docs-json', options.title);
}

/** The OpenAPI document an app made by createServiceApp serves at /docs-json (for npm run openapi and tests). */
export function openApiDocumentOf(app: INestApplication): OpenAPIObject {
  const document = DOCUMENTS.get(app);
  if (!document) {
    throw new Error('not an app made by createServiceApp');
  }
  return document();
}

/** Listens on the port and logs where; the process then lives until a signal closes the app. */
export async function listen(app: INestApplication, port: number, host = '0.0.0.0'): Promise<void> {
  await app.listen(port, host);
  app.get<Logger>(LOGGER).info({ port }, 'listening');
}
