import { applyDecorators, createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ACCESS_EXTENSION } from '../openapi/service-document';
import type { Session } from './session-store';

export type Access = 'public' | 'internal' | 'user';
export const ACCESS_KEY = 'shop:access';

/**
 * The access level is also what the OpenAPI documents say (security scheme and 401), so the guard
 * and the documents read one decision; `user` (Bearer) is the default of both.
 */
const access = (level: Access): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ACCESS_KEY, level), ApiExtension(ACCESS_EXTENSION, level));

/** No authentication: register/login, catalog reads, webhooks, health, metrics. */
export const Public = (): MethodDecorator & ClassDecorator => access('public');
/** Service-to-service and admin routes: `x-internal-token` must match the shared secret. */
export const InternalOnly = (): MethodDecorator & ClassDecorator => access('internal');

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
