import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mapError, MappedError, sendErrorReply } from './domain-exception.filter';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Deepest nesting of arrays/objects a JSON body may have. Our deepest DTO (an order's items) is 3
 * levels; 32 leaves room for any sane client while keeping class-transformer and class-validator,
 * which recurse, far from the stack limit (5,000 levels overflowed it: a 500).
 */
export const MAX_JSON_DEPTH = 32;

/** Most fields a form body may have (Alipay's notification has about 25). */
export const MAX_FORM_FIELDS = 1000;

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

/** A refusal of the body: `status` 413 (too large) or another 4xx, `type` the reason in the 400's details. */
export class BodyError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a failure while reading the body means for the client. Every such failure is about the
 * request (undecodable gzip/deflate/br, bad charset, truncated stream…), so any 4xx is a 400 with
 * the reason in its details, and an oversized body is 413.
 */
export function mapBodyError(err: unknown): MappedError {
  if (err instanceof BodyError) {
    if (err.status === 413) {
      return { status: 413, code: 'REQUEST.TOO_LARGE', message: 'Request body exceeds 1 MB' };
    }
    return { status: 400, code: 'VALIDATION.FAILED', message: 'Malformed request body', details: { reason: err.type } };
  }
  return mapError(err);
}

type BodyKind = 'json' | 'form';

/** The media types we read (with any parameters); any other body is left unread and the route sees none. */
export function bodyKindOf(contentType: string | undefined): BodyKind | undefined {
  const type = contentType?.split(';', 1)[0].trim().toLowerCase();
  return type === 'application/json' ? 'json' : type === 'application/x-www-form-urlencoded' ? 'form' : undefined;
}

/** The charset parameter of a Content-Type, lower-cased (undefined when absent). */
function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType);
  return match?.[1].toLowerCase();
}

/** The parsed body of one kind from its decoded text: strict JSON (an object or an array) or a flat form. */
export function parseBody(kind: BodyKind, text: string): unknown {
  if (kind === 'form') {
    if (text.length === 0) {
      return {};
    }
    if (text.split('&').length > MAX_FORM_FIELDS) {
      throw new BodyError(413, 'parameters.too.many', 'too many parameters');
    }
    return parseQueryString(text, '&', '=', { maxKeys: 0 });
  }
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // a BOM, as iconv drops it
  if (json.trim().length === 0) {
    return {};
  }
  const first = json.trimStart()[0];
  if (first !== '{' && first !== '[') {
    throw new BodyError(400, 'entity.parse.failed', 'a JSON body must be an object or an array');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new BodyError(400, 'entity.parse.failed', 'malformed JSON');
  }
  if (nestsDeeperThan(parsed, MAX_JSON_DEPTH)) {
    throw new BodyError(400, 'entity.too.deep', `JSON nested deeper than ${MAX_JSON_DEPTH}`);
  }
  return parsed;
}

function decoderFor(encoding: string): Transform | undefined | null {
  switch (encoding) {
    case 'identity':
      return undefined;
    case 'gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

/** Whether the request says it carries a body (as type-is decides: any Transfer-Encoding or Content-Length). */
function declaresBody(req: IncomingMessage): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined ||
    (req.headers['content-length'] !== undefined && !Number.isNaN(Number(req.headers['content-length'])))
  );
}

/**
 * Reads the whole body (decoded by its Content-Encoding), at most BODY_LIMIT_BYTES once decoded,
 * and calls back once, in the async context of the caller (stream events arrive in the socket's).
 */
export function readBody(req: IncomingMessage, kind: BodyKind, callback: (err: Error | null, body?: unknown) => void): void {
  const done = AsyncResource.bind(callback);
  const contentType = req.headers['content-type'] ?? '';
  const charset = charsetOf(contentType) ?? 'utf-8';
  if (kind === 'json' ? !charset.startsWith('utf-') : charset !== 'utf-8') {
    done(new BodyError(415, 'charset.unsupported', `unsupported charset "${charset.toUpperCase()}"`));
    return;
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  const decoder = decoderFor(encoding);
  if (decoder === null) {
    done(new BodyError(415, 'encoding.unsupported', `unsupported content encoding "${encoding}"`));
    return;
  }
  const source: Readable = decoder ? req.pipe(decoder) : req;
  const chunks: Buffer[] = [];
  let length = 0;
  let settled = false;
  const finish = (err: Error | null, body?: unknown): void => {
    if (settled) {
      return;
    }
    settled = true;
    if (err) {
      req.unpipe();
      decoder?.destroy();
      req.resume(); // drain what is still coming so that the answer can be read
    }
    done(err, body);
  };
  source.on('data', (chunk: Buffer) => {
    length += chunk.length;
    if (length > BODY_LIMIT_BYTES) {
      finish(new BodyError(413, 'entity.too.large', 'request entity too large'));
      return;
    }
    chunks.push(chunk);
  });
  source.on('end', () => {
    if (settled) {
      return;
    }
    try {
      finish(null, parseBody(kind, Buffer.concat(chunks, length).toString('utf8')));
    } catch (err) {
      finish(err as Error);
    }
  });
  source.on('error', () => finish(new BodyError(400, decoder ? 'body.undecodable' : 'request.aborted', 'the body could not be read')));
  req.on('aborted', () => finish(new BodyError(400, 'request.aborted', 'the request was aborted')));
  if (decoder) {
    req.on('error', () => finish(new BodyError(400, 'request.aborted', 'the request was aborted')));
  }
}

const PARSED = Symbol('parsed body');
type WithParsedBody = IncomingMessage & { [PARSED]?: unknown };

/**
 * Body parsing is ours rather than Fastify's so that it is the same for every request: every
 * method and every path, known or not (a GET or a 404 with an undecodable gzip body is a 400, as
 * before the move from Express), with SPEC §9's body for its failures (malformed JSON → 400, over
 * 1 MB → 413) and the webhook's plain `failure` on `plainTextPaths`. The body is read in an
 * onRequest hook, before routing's own work, and handed to Fastify by one catch-all parser.
 */
export function installBodyParsers(fastify: FastifyInstance, plainTextPaths: readonly string[] = []): void {
  const refuse = (req: FastifyRequest, reply: FastifyReply, err: unknown): void => {
    const mapped = mapBodyError(err);
    if (mapped.status === 413) {
      // The rest of an oversized body is not worth reading: the connection closes once answered.
      void reply.header('connection', 'close');
    }
    if (plainTextPaths.includes(req.url.split('?', 1)[0])) {
      // Webhooks whose caller only understands plain text (Alipay: `failure`).
      void reply.status(400).type('text/plain; charset=utf-8').send('failure'); // SPEC §7: every rejection is 400
      return;
    }
    sendErrorReply(reply, mapped);
  };
  fastify.addHook('onRequest', (req, reply, next) => {
    const raw = req.raw as WithParsedBody;
    const kind = bodyKindOf(raw.headers['content-type']);
    if (!kind || !declaresBody(raw)) {
      next();
      return;
    }
    // A declared length over the limit is refused before reading, and the connection is closed
    // rather than left waiting for bytes that may never come.
    if (Number(raw.headers['content-length'] ?? 0) > BODY_LIMIT_BYTES) {
      refuse(req, reply, new BodyError(413, 'entity.too.large', 'request entity too large'));
      return;
    }
    readBody(raw, kind, (err, body) => {
      if (err) {
        refuse(req, reply, err);
        return;
      }
      raw[PARSED] = body;
      next();
    });
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', (req, _payload, done) => done(null, (req.raw as WithParsedBody)[PARSED]));
}
