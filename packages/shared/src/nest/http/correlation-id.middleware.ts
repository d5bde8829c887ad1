import type { NextFunction, Request, Response } from 'express';
import { CORRELATION_HEADER, currentCorrelationId, runWithCorrelationId } from '../context/correlation';

/** First middleware of every app: adopt or mint the correlation id and echo it on the response. */
export function correlationIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header(CORRELATION_HEADER);
  runWithCorrelationId(incoming, () => {
    res.setHeader(CORRELATION_HEADER, currentCorrelationId() as string);
    next();
  });
}
