import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Session } from './session-store';

export type Access = 'public' | 'internal' | 'user';
export const ACCESS_KEY = 'shop:access';

/** No authentication: register/login, catalog reads, webhooks, health, metrics. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_KEY, 'public');
/** Service-to-service and admin routes: `x-internal-token` must match the shared secret. */
export const InternalOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ACCESS_KEY, 'internal');

export interface AuthenticatedRequest {
  session?: Session;
  sessionToken?: string;
}

/** The caller's session, set by the AccessGuard on `user` routes (the default). */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): Session => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return req.session as Session;
});

export const CurrentSessionToken = createParamDecorator((_data: unknown, ctx: ExecutionContext): string => {
  const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
  return req.sessionToken as string;
});
