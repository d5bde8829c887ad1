import type { FastifyReply } from 'fastify';

/** The reply a controller gets with @Res() (every service runs on Fastify): status, type, send. */
export type HttpReply = FastifyReply;
