import type { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { errorBody } from '../../errors';
import { correlationIdOrNew } from '../context/correlation';
import { mapError } from './domain-exception.filter';

export const BODY_LIMIT = '1mb';

/**
 * Body parsing is ours rather than Nest's default so that its failures (malformed JSON → 400,
 * over 1 MB → 413) answer with the error body of SPEC §9 instead of Express's HTML page: these
 * errors happen before Nest's exception filters are in play.
 */
export function installBodyParsers(app: INestApplication, plainTextPaths: readonly string[] = []): void {
  app.use(express.json({ limit: BODY_LIMIT, strict: true }));
  app.use(express.urlencoded({ limit: BODY_LIMIT, extended: false }));
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) {
      next();
      return;
    }
    const mapped = mapError(err);
    if (plainTextPaths.includes(req.path)) {
      // Webhooks whose caller only understands plain text (Alipay: `failure`).
      res.status(400).type('text/plain').send('failure'); // SPEC §7: every rejection is 400
      return;
    }
    res.status(mapped.status).json(errorBody(mapped.code, mapped.message, correlationIdOrNew(), mapped.details));
  });
}
