import { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { installBodyParsers } from './http/body-parsers';
import { hardenHttpServer } from './http/http-server';
import { accessLogMiddleware } from './http/access-log.middleware';
import { correlationIdMiddleware } from './http/correlation-id.middleware';
import { DomainExceptionFilter } from './http/domain-exception.filter';
import { StrictValidationPipe } from './http/strict-validation.pipe';
import { PinoNestLogger } from './logging/logger';
import { Metrics } from './metrics/metrics';
import { CommonEnv, developmentDefaultsInUse } from './config/env';
import { LOGGER, PLATFORM_CONFIG } from './redis/redis.tokens';
import { createServiceDocument, ServiceDocumentOptions } from './openapi/service-document';

const QUIET_PATHS = /^\/(health|metrics)/;

/**
 * Creates a service's Nest app with the one pipeline every service shares (SPEC §9, §11):
 * correlation id → metrics → access log → body parsers (1 MB, JSON depth 32) → guard → strict
 * validation → one exception filter; HTTP timeouts and Node's parser errors answered with the §9
 * body; OpenAPI at /docs; graceful shutdown on SIGTERM/SIGINT.
 */
export async function createServiceApp(
  rootModule: Type | DynamicModule,
  options: { title: string; description?: string; plainTextErrorPaths?: readonly string[] },
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
    forceCloseConnections: true,
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
  app.disable('x-powered-by');
  app.use(correlationIdMiddleware);
  app.use(app.get(Metrics).middleware());
  app.use(accessLogMiddleware(logger, QUIET_PATHS));
  installBodyParsers(app, options.plainTextErrorPaths);
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

/** Swagger UI at /docs, the document at /docs-json; built once, on first use. */
function setupDocs(app: INestApplication, options: ServiceDocumentOptions): void {
  let doc: OpenAPIObject | undefined;
  const document = (): OpenAPIObject => (doc ??= createServiceDocument(app, options));
  DOCUMENTS.set(app, document);
  SwaggerModule.setup('docs', app, document);
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
