/** Shared helpers for the sandbox's own tests (not loaded by the sandbox at runtime). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AlipaySdk, type AlipaySdkConfig } from 'alipay-sdk';
import { DEFAULT_KEYS_DIR, DEFAULTS } from './config';
import { createSandbox, type Sandbox, type SandboxOptions } from './sandbox';

export const readKey = (name: string): string => readFileSync(path.join(DEFAULT_KEYS_DIR, name), 'utf8');

/** The merchant side exactly as the payment service will configure it. */
export function merchantSdk(sandboxUrl: string, overrides: Partial<AlipaySdkConfig> = {}): AlipaySdk {
  return new AlipaySdk({
    appId: DEFAULTS.appId,
    privateKey: readKey('merchant-private.pem'),
    alipayPublicKey: readKey('alipay-public.pem'),
    gateway: `${sandboxUrl}/gateway.do`,
    endpoint: sandboxUrl,
    keyType: 'PKCS1',
    signType: 'RSA2',
    ...overrides,
  });
}

export interface RunningSandbox {
  sandbox: Sandbox;
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'alipay-sandbox-test-'));
  const sandbox = createSandbox({ timeScale: 0.0001, ...options, dataDir });
  const { url } = await sandbox.start();
  return {
    sandbox,
    url,
    dataDir,
    async stop() {
      await sandbox.stop();
      if (!options.dataDir) {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export interface Received {
  params: Record<string, string>;
  at: number;
  contentType: string | undefined;
}

/** A fake merchant notify endpoint; `reply` decides the body for the n-th request (0-based). */
export async function startFakeMerchant(reply: (n: number, params: Record<string, string>) => string = () => 'success') {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const n = received.length;
      received.push({ params, at: Date.now(), contentType: req.headers['content-type'] });
      res.end(reply(n, params));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alipay/notify`,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `check` until it returns a truthy value or the deadline passes (no blind sleeps). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface TradeViewJson {
  outTradeNo: string;
  tradeNo: string | null;
  status: string;
  totalAmount: string;
  refunds: Array<{ outRequestNo: string; refundAmount: string; at: string }>;
  notifications: Array<{
    notifyId: string;
    tradeStatus: string;
    at: string;
    attempt: number;
    httpStatus: number | null;
    body: string | null;
    dropped: boolean;
    duplicate: boolean;
  }>;
  pendingDeliveries: unknown[];
}

export async function getTrade(url: string, outTradeNo: string): Promise<TradeViewJson> {
  const res = await fetch(`${url}/sandbox/trades/${encodeURIComponent(outTradeNo)}`);
  if (res.status !== 200) {
    throw new Error(`GET trade ${outTradeNo}: ${res.status} ${await res.text()}`);
  }
  return (await res.json()) as TradeViewJson;
}

export async function pay(url: string, outTradeNo: string, body?: object): Promise<Response> {
  return fetch(`${url}/sandbox/trades/${encodeURIComponent(outTradeNo)}/pay`, {
    method: 'POST',
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
}

export async function setFaults(url: string, faults: object): Promise<void> {
  const res = await fetch(`${url}/sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  if (res.status !== 200) {
    throw new Error(`POST /sandbox/faults: ${res.status} ${await res.text()}`);
  }
}

let seq = 0;
export const uniqueOrderNo = (prefix = 'ORD'): string => `${prefix}${Date.now()}${++seq}`;

/** Opens the page-pay URL like a browser would; returns the HTTP status and HTML. */
export async function openPayUrl(
  sdk: AlipaySdk,
  biz: Record<string, unknown>,
  extra: { notifyUrl?: string; returnUrl?: string } = {},
): Promise<{ status: number; html: string; payUrl: string }> {
  const payUrl = sdk.pageExecute('alipay.trade.page.pay', 'GET', {
    bizContent: { productCode: 'FAST_INSTANT_TRADE_PAY', subject: 'Sandbox order', ...biz },
    ...extra,
  });
  const res = await fetch(payUrl);
  return { status: res.status, html: await res.text(), payUrl };
}
