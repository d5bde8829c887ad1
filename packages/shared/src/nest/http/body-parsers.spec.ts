import { createServer, IncomingMessage, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { currentCorrelationId, runWithCorrelationId } from '../context/correlation';
import {
  BODY_LIMIT_BYTES,
  BodyError,
  bodyKindOf,
  installBodyParsers,
  MAX_FORM_FIELDS,
  mapBodyError,
  parseBody,
  readBody,
} from './body-parsers';

function refusal(fn: () => unknown): { status: number; type: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof BodyError ? { status: err.status, type: err.type } : { status: -1, type: String(err) };
  }
}

describe('parseBody', () => {
  it('reads strict JSON: an object or an array; empty is {}; a BOM is dropped', () => {
    expect(parseBody('json', '{"a":1}')).toEqual({ a: 1 });
    expect(parseBody('json', ' \n[1,2]')).toEqual([1, 2]);
    expect(parseBody('json', '')).toEqual({});
    expect(parseBody('json', '\ufeff{"a":2}')).toEqual({ a: 2 });
    for (const text of ['"text"', 'null', '12', '{"a":', 'nul']) {
      expect({ text, refused: refusal(() => parseBody('json', text)) }).toEqual({
        text,
        refused: { status: 400, type: 'entity.parse.failed' },
      });
    }
  });

  it('refuses JSON nested deeper than 32 before anything recurses over it', () => {
    expect(parseBody('json', `${'['.repeat(32)}${']'.repeat(32)}`)).toBeDefined();
    expect(refusal(() => parseBody('json', `${'['.repeat(33)}${']'.repeat(33)}`))).toEqual({ status: 400, type: 'entity.too.deep' });
  });

  it('reads a flat form: repeated keys become arrays, + is a space, too many fields is 413', () => {
    expect({ ...(parseBody('form', 'a=1&a=2&b=x+y&c=%E4%B8%AD') as object) }).toEqual({ a: ['1', '2'], b: 'x y', c: '中' });
    expect(parseBody('form', '')).toEqual({});
    expect({ ...(parseBody('form', 'a[b]=1') as object) }).toEqual({ 'a[b]': '1' });
    const many = Array.from({ length: MAX_FORM_FIELDS + 1 }, (_, i) => `k${i}=v`).join('&');
    expect(refusal(() => parseBody('form', many))).toEqual({ status: 413, type: 'parameters.too.many' });
  });
});

describe('bodyKindOf and mapBodyError', () => {
  it('reads JSON and forms whatever their parameters; any other type is left unread', () => {
    expect(bodyKindOf('application/json; charset=utf-8')).toBe('json');
    expect(bodyKindOf('Application/JSON')).toBe('json');
    expect(bodyKindOf('application/x-www-form-urlencoded;charset=utf-8')).toBe('form');
    expect(bodyKindOf('text/plain')).toBeUndefined();
    expect(bodyKindOf('application/json-patch+json')).toBeUndefined();
    expect(bodyKindOf(undefined)).toBeUndefined();
  });

  it("a refused body is the client's: 413 when too large, a 400 with the reason otherwise; anything else is not", () => {
    expect(mapBodyError(new Error('a bug')).status).toBe(500);
    expect(mapBodyError(new BodyError(413, 'entity.too.large', 'x'))).toMatchObject({ status: 413, code: 'REQUEST.TOO_LARGE' });
    expect(mapBodyError(new BodyError(415, 'charset.unsupported', 'x'))).toEqual({
      status: 400,
      code: 'VALIDATION.FAILED',
      message: 'Malformed request body',
      details: { reason: 'charset.unsupported' },
    });
  });
});

describe('readBody, over a real socket', () => {
  let server: Server;
  let port: number;
  let onRequest: (req: IncomingMessage, answer: (outcome: unknown) => void) => void;
  beforeAll(async () => {
    server = createServer((req, res) => onRequest(req, (outcome) => res.end(JSON.stringify(outcome))));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Sends `body` with `headers`; the server reads it with readBody inside a correlation context. */
  function send(headers: Record<string, string>, body: Buffer): Promise<{ correlationId?: string; body?: unknown; refused?: unknown }> {
    onRequest = (req, answer) =>
      runWithCorrelationId('reader-test', () =>
        readBody(req, bodyKindOf(req.headers['content-type'])!, (err, parsed) =>
          answer({
            correlationId: currentCorrelationId(),
            ...(err instanceof BodyError ? { refused: { status: err.status, type: err.type } } : { body: parsed }),
          }),
        ),
      );
    return new Promise((resolve, reject) => {
      const req = request(
        { port, host: '127.0.0.1', method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(JSON.parse(text)));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  it('calls back in the caller’s async context, though the stream’s events arrive in the socket’s', async () => {
    expect(await send({ 'content-type': 'application/json' }, Buffer.from('{"a":1}'))).toEqual({
      correlationId: 'reader-test',
      body: { a: 1 },
    });
  });

  it('decodes gzip, refuses what does not decode, and counts the limit after decoding (a gzip bomb is 413)', async () => {
    const json = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    expect(await send(json, gzipSync('{"a":2}'))).toMatchObject({ body: { a: 2 } });
    expect(await send(json, Buffer.from('not gzip'))).toMatchObject({ refused: { status: 400, type: 'body.undecodable' } });
    const bomb = gzipSync(`{"a":"${'0'.repeat(BODY_LIMIT_BYTES)}"}`);
    expect(bomb.length).toBeLessThan(BODY_LIMIT_BYTES / 100);
    expect(await send(json, bomb)).toMatchObject({ correlationId: 'reader-test', refused: { status: 413, type: 'entity.too.large' } });
  });

  it('refuses an unknown content encoding and a charset it cannot decode', async () => {
    expect(await send({ 'content-type': 'application/json', 'content-encoding': 'zstd' }, Buffer.from('{}'))).toMatchObject({
      refused: { status: 415, type: 'encoding.unsupported' },
    });
    expect(await send({ 'content-type': 'application/json; charset=latin1' }, Buffer.from('{}'))).toMatchObject({
      refused: { status: 415, type: 'charset.unsupported' },
    });
    expect(await send({ 'content-type': 'application/x-www-form-urlencoded; charset=gbk' }, Buffer.from('a=1'))).toMatchObject({
      refused: { status: 415, type: 'charset.unsupported' },
    });
  });
});

describe('installBodyParsers, on a real Fastify server', () => {
  let app: FastifyInstance;
  let port: number;
  beforeAll(async () => {
    app = Fastify();
    installBodyParsers(app, ['/hook']);
    app.post('/echo', async (req) => ({ body: req.body ?? null }));
    app.post('/hook', async () => 'success');
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  /** One request whose body goes out in chunks (no Content-Length: the reader must count). */
  function post(path: string, contentType: string, chunks: Buffer[]): Promise<{ status: number; connection?: string; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ port, host: '127.0.0.1', method: 'POST', path, headers: { 'content-type': contentType } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }));
      });
      req.on('error', reject);
      for (const c of chunks) {
        req.write(c);
      }
      req.end();
    });
  }

  it('hands the parsed body to the route; a type it does not read reaches the route as no body', async () => {
    expect(JSON.parse((await post('/echo', 'application/json', [Buffer.from('{"a":'), Buffer.from('1}')])).text)).toEqual({
      body: { a: 1 },
    });
    expect(JSON.parse((await post('/echo', 'text/plain', [Buffer.from('hello')])).text)).toEqual({ body: null });
  });

  it('a chunked body over 1 MB is 413 with the §9 body, and the connection closes', async () => {
    const res = await post('/echo', 'application/json', [Buffer.from('{"a":"'), Buffer.alloc(BODY_LIMIT_BYTES, 'x'), Buffer.from('"}')]);
    expect({ status: res.status, connection: res.connection }).toEqual({ status: 413, connection: 'close' });
    expect(JSON.parse(res.text).error.code).toBe('REQUEST.TOO_LARGE');
  });

  it('a refused body on a plain-text path is the plain `failure` with 400', async () => {
    expect(await post('/hook', 'application/x-www-form-urlencoded', [Buffer.from('a=%')])).toMatchObject({ status: 200, text: 'success' });
    expect(await post('/hook', 'application/x-www-form-urlencoded; charset=gbk', [Buffer.from('a=1')])).toMatchObject({
      status: 400,
      text: 'failure',
    });
  });
});
