import type { INestApplication } from '@nestjs/common';
import express, { NextFunction, Request, Response } from 'express';
import { errorBody } from '../../errors';
import { correlationIdOrNew } from '../context/correlation';
import { mapError, MappedError } from './domain-exception.filter';

export const BODY_LIMIT = '1mb';
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Deepest nesting of arrays/objects a JSON body may have. Our deepest DTO (an order's items) is 3
 * levels; 32 leaves room for any sane client while keeping class-transformer and class-validator,
 * which recurse, far from the stack limit (5,000 levels overflowed it: a 500).
 */
export const MAX_JSON_DEPTH = 32;

/** True when `value` nests arrays/objects deeper than `max`. Iterative: the check cannot overflow. */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') {
      continue;
    }
    if (depth > max) {
      return true;
    }
    for (const child of Object.values(node as Record<string, unknown>)) {
      stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

function parserError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, type });
}

/**
 * What a failure while reading the body means for the client. Every such failure is about the
 * request (undecodable gzip/deflate/br, bad charset, truncated stream…): body-parser's zlib errors
 * carry a status but no `type`, so the status decides here, not the type.
 */
export function mapBodyError(err: unknown): MappedError {
  const status = (err as { status?: unknown; statusCode?: unknown }).status ?? (err as { statusCode?: unknown }).statusCode;
  if (status === 413) {
    return { status: 413, code: 'REQUEST.TOO_LARGE', message: 'Request body exceeds 1 MB' };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (err as { type?: unknown }).type;
    return {
      status: 400,
      code: 'VALIDATION.FAILED',
      message: 'Malformed request body',
      details: { reason: typeof type === 'string' ? type : 'body.undecodable' },
    };
  }
  return mapError(err);
}

/**
 * Body parsing is ours rather than Nest's default so that its failures (malformed JSON → 400,
 * over 1 MB → 413) answer with the error body of SPEC §9 instead of Express's HTML page: these
 * errors happen before Nest's exception filters are in play.
 */
export function installBodyParsers(app: INestApplication, plainTextPaths: readonly string[] = []): void {
  // A declared length over the limit is refused before reading (body-parser would wait for the
  // whole body first), and the connection is closed rather than left waiting for bytes.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (Number(req.headers['content-length'] ?? 0) > BODY_LIMIT_BYTES) {
      res.setHeader('connection', 'close');
      next(parserError(413, 'entity.too.large', 'request entity too large'));
      return;
    }
    next();
  });
  app.use(express.json({ limit: BODY_LIMIT, strict: true }));
  app.use(express.urlencoded({ limit: BODY_LIMIT, extended: false }));
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(
      nestsDeeperThan(req.body, MAX_JSON_DEPTH)
        ? parserError(400, 'entity.too.deep', `JSON nested deeper than ${MAX_JSON_DEPTH}`)
        : undefined,
    );
  });
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!err) {
      next();
      return;
    }
    if (plainTextPaths.includes(req.path)) {
      // Webhooks whose caller only understands plain text (Alipay: `failure`).
      res.status(400).type('text/plain').send('failure'); // SPEC §7: every rejection is 400
      return;
    }
    const mapped = mapBodyError(err);
    res.status(mapped.status).json(errorBody(mapped.code, mapped.message, correlationIdOrNew(), mapped.details));
  });
}
