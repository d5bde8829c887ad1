import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { currentCorrelationId, runWithCorrelationId } from '../context/correlation';
import { accessLogMiddleware } from './access-log.middleware';

/** A real HTTP server with the access log in front of a handler; log lines captured as objects. */
async function serve(
  handler: (res: import('node:http').ServerResponse) => void,
): Promise<{ server: Server; port: number; lines: Array<Record<string, unknown>> }> {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const logger = pino({ mixin: () => ({ correlationId: currentCorrelationId() }) }, sink);
  const log = accessLogMiddleware(logger, /^\/health/);
  const server = createServer((req, res) =>
    runWithCorrelationId(`c-${(req.url ?? '').replace(/\W/g, '')}`, () => log(req, res, () => handler(res))),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, lines };
}

function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1', path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('accessLogMiddleware', () => {
  it('logs one line per answered request, with method, url, status, time and the correlation id; 5xx at error', async () => {
    let status = 201;
    const { server, port, lines } = await serve((res) => {
      res.statusCode = status;
      res.end('{}');
    });
    try {
      await get(port, '/skus?ids=1');
      status = 503;
      await get(port, '/boom');
      await until(() => lines.length >= 2);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 30,
          msg: 'request completed',
          req: { method: 'GET', url: '/skus?ids=1' },
          res: { statusCode: 201 },
          correlationId: 'c-skusids1',
        }),
        expect.objectContaining({
          level: 50,
          msg: 'request completed',
          req: { method: 'GET', url: '/boom' },
          res: { statusCode: 503 },
          correlationId: 'c-boom',
        }),
      ]);
      expect(typeof lines[0].responseTime).toBe('number');
    } finally {
      server.close();
    }
  });

  it('does not log quiet paths (health probes)', async () => {
    const { server, port, lines } = await serve((res) => res.end('ok'));
    try {
      await get(port, '/health/live');
      await get(port, '/x');
      await until(() => lines.length >= 1);
      expect(lines.map((l) => (l.req as { url: string }).url)).toEqual(['/x']);
    } finally {
      server.close();
    }
  });

  it('logs a request whose client went away before the answer as aborted', async () => {
    let arrived!: () => void;
    const handled = new Promise<void>((resolve) => (arrived = resolve));
    const { server, port, lines } = await serve(() => arrived()); // never answers
    try {
      const req = request({ port, host: '127.0.0.1', path: '/slow' });
      req.on('error', () => undefined);
      req.end();
      await handled;
      req.destroy();
      await until(() => lines.length >= 1);
      expect(lines).toEqual([expect.objectContaining({ level: 40, msg: 'request aborted', req: { method: 'GET', url: '/slow' } })]);
    } finally {
      server.close();
    }
  });
});
