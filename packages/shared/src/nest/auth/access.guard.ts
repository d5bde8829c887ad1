import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../../errors';
import { PLATFORM_CONFIG } from '../redis/redis.tokens';
import { Access, ACCESS_KEY, AuthenticatedRequest } from './access.decorators';
import { SessionStore } from './session-store';

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The one global guard. Routes are `user` (Bearer session) unless marked @Public() or
 * @InternalOnly(), so a new route is protected by default.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionStore,
    @Inject(PLATFORM_CONFIG) private readonly config: { INTERNAL_TOKEN: string },
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [ctx.getHandler(), ctx.getClass()]) ?? 'user';
    const req = ctx.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    if (access === 'public') {
      return true;
    }
    if (access === 'internal') {
      const given = req.headers['x-internal-token'];
      if (typeof given !== 'string' || !given || !safeEqual(given, this.config.INTERNAL_TOKEN)) {
        throw new UnauthenticatedError('A valid x-internal-token is required');
      }
      return true;
    }
    const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
    const session = match ? await this.sessions.get(match[1]) : null;
    if (!match || !session) {
      throw new UnauthenticatedError();
    }
    req.session = session;
    req.sessionToken = match[1];
    return true;
  }
}
