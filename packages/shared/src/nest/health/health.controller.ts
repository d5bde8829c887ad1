import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { HttpReply } from '../http/http-reply';
import { ApiOkResponse, ApiResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { Logger } from 'pino';
import { Public } from '../auth/access.decorators';
import { LOGGER } from '../redis/redis.tokens';
import { ReadinessCheck } from './readiness';

const STATUS_OF = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up', 'down'] } } };
const DEPENDENCIES = { type: 'object', additionalProperties: STATUS_OF, example: { database: { status: 'up' }, redis: { status: 'up' } } };
/** Terminus's report (HealthCheckResult), one entry per dependency. */
const READINESS_SCHEMA = {
  type: 'object',
  required: ['status', 'info', 'error', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error'] },
    info: DEPENDENCIES,
    error: DEPENDENCIES,
    details: DEPENDENCIES,
  },
};

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(READINESS_CHECKS) private readonly checks: () => ReadinessCheck[],
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The process is up and its event loop answers. */
  @Get('live')
  @ApiOkResponse({ schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Every dependency answers: database, Redis, Kafka (503 otherwise). */
  @Get('ready')
  @ApiResponse({ status: 200, description: 'every dependency answers', schema: READINESS_SCHEMA })
  @ApiServiceUnavailableResponse({ description: 'some dependency does not answer (which one: `error`)', schema: READINESS_SCHEMA })
  async ready(@Res({ passthrough: true }) res: HttpReply): Promise<HealthCheckResult> {
    try {
      return await this.check();
    } catch (err) {
      // Terminus reports "not ready" by throwing; answer its report with 503 ourselves rather
      // than let the error filter turn it into a generic error body.
      if (err instanceof ServiceUnavailableException) {
        res.status(503);
        return err.getResponse() as HealthCheckResult;
      }
      throw err;
    }
  }

  private check(): Promise<HealthCheckResult> {
    return this.health.check(
      this.checks().map((check) => async () => {
        const indicator = this.indicators.check(check.name);
        try {
          await check.ping();
          return indicator.up();
        } catch (err) {
          // Anyone may ask: the answer says which dependency is down, the log says why.
          this.logger.warn({ dependency: check.name, err }, 'readiness check failed');
          return indicator.down();
        }
      }),
    );
  }
}
