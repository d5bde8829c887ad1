import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { UpstreamUnavailableError } from '../../errors';
import { InternalClient } from './internal-client';

/** A real HTTP server that sends its headers and then stalls mid-body: the body is part of the answer. */
describe('InternalClient', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"items": ['); // … and never the rest
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('a timeout while the body arrives is UpstreamUnavailableError (503), not an unexpected error (500)', async () => {
    const client = new InternalClient('inventory', url, 'token-0123456789abcdef');
    await expect(client.call('/internal/stock-locks', { timeoutMs: 300 })).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });
});
