/** Wires the sandbox together and owns its lifecycle. `createSandbox()` is what main.ts and
 * other test suites use to run it in-process (port 0 = any free port). */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin';
import { loadConfig, type SandboxConfig } from './config';
import { handleGatewayV2 } from './gateway';
import { handleGatewayV3, isV3Path } from './gateway-v3';
import { HttpError, sendJson } from './http-util';
import { Notifier } from './notifier';
import { StateStore } from './store';
import { TradeService } from './trades';

const ERROR_NAMES: Record<number, string> = {
  400: 'bad_request',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  500: 'internal',
};

export interface SandboxOptions extends Partial<SandboxConfig> {
  /** How often unpaid trades past their expiry are closed (and notified). Default 1000 ms. */
  expirySweepMs?: number;
}

export interface Sandbox {
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  /** The listening base URL once started (e.g. http://127.0.0.1:43121). */
  readonly url: string | undefined;
}

/** Options override the built-in dev defaults (committed keys, app id 2021000000000001,
 * 127.0.0.1 on a random port). The environment is NOT read here — main.ts does that — so a
 * test's sandbox cannot be bent by stray SANDBOX_* variables. */
export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const { expirySweepMs = 1000, ...overrides } = options;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<SandboxConfig>;
  const cfg: SandboxConfig = { ...loadConfig({}), port: 0, host: '127.0.0.1', publicUrl: undefined, ...defined };

  const store = new StateStore(cfg.dataDir);
  const notifier = new Notifier(store, { timeScale: cfg.timeScale });
  const trades = new TradeService(store, cfg, notifier);
  let url: string | undefined;
  let sweep: NodeJS.Timeout | undefined;
  const publicUrl = (): string => cfg.publicUrl ?? url ?? '';

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const u = new URL(req.url ?? '/', 'http://sandbox.invalid');
      if (u.pathname === '/health/live') {
        return sendJson(res, 200, { status: 'ok' });
      }
      if (u.pathname === '/gateway.do') {
        if (req.method !== 'GET' && req.method !== 'POST') {
          throw new HttpError(405, 'use GET or POST');
        }
        return await handleGatewayV2(req, res, u, { cfg, trades, publicUrl });
      }
      if (isV3Path(u.pathname)) {
        return await handleGatewayV3(req, res, u, { cfg, trades });
      }
      if (u.pathname.startsWith('/sandbox/') && (await handleAdmin(req, res, u, { cfg, store, trades, notifier, publicUrl }))) {
        return;
      }
      throw new HttpError(404, `no route for ${req.method ?? ''} ${u.pathname}`);
    } catch (err) {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) {
        console.error('[alipay-sandbox] request failed:', err);
      }
      if (res.headersSent) {
        res.destroy();
      } else {
        sendJson(res, status, { error: ERROR_NAMES[status] ?? 'bad_request', message: (err as Error).message });
      }
    }
  }

  const server = createServer((req, res) => void route(req, res));
  let started = false;

  return {
    get url() {
      return url;
    },
    async start() {
      if (started) {
        throw new Error('sandbox already started');
      }
      store.load();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(cfg.port, cfg.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      started = true;
      const { port } = server.address() as AddressInfo;
      const host = cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      notifier.start();
      trades.expireDue();
      sweep = setInterval(() => trades.expireDue(), expirySweepMs);
      sweep.unref();
      return { url };
    },
    async stop() {
      if (!started) {
        return;
      }
      started = false;
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections(); // keep-alive sockets would otherwise hold close() open
      await closed;
      await notifier.stop();
      store.compact(); // the next start reads one snapshot, no journal
    },
  };
}
