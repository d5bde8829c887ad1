import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { CORRELATION_HEADER, currentCorrelationId, runWithCorrelationId } from '../context/correlation';

/**
 * First onRequest hook of every app: adopt or mint the correlation id, echo it on the response,
 * and run the rest of the request (hooks, body, route, filters) in its async context.
 */
export function correlationIdHook(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const incoming = req.headers[CORRELATION_HEADER];
  runWithCorrelationId(typeof incoming === 'string' ? incoming : undefined, () => {
    void reply.header(CORRELATION_HEADER, currentCorrelationId());
    done();
  });
}
