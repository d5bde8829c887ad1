/** Test-control endpoints under /sandbox: play the buyer (pay), inspect trades and deliveries,
 * inject notification faults, reset. Not part of Alipay's API — tests and e2e scripts use them. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderCashier, renderError, renderPaid } from './cashier';
import type { SandboxConfig } from './config';
import { centsToYuan } from './format';
import { HttpError, isForm, parseForm, readBody, sendHtml, sendJson } from './http-util';
import { buildReturnParams, refundedCents } from './notifications';
import { parseFaultsPatch, type Notifier } from './notifier';
import type { StateStore, Trade } from './store';
import type { TradeService } from './trades';

export interface AdminDeps {
  cfg: Pick<SandboxConfig, 'appId' | 'sellerId' | 'alipayPrivateKey'>;
  store: StateStore;
  trades: TradeService;
  notifier: Notifier;
  publicUrl: () => string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The GET /sandbox/trades/:outTradeNo shape (amounts are yuan strings, times ISO-8601). */
export function tradeView(t: Trade, store: StateStore): Record<string, unknown> {
  return {
    outTradeNo: t.outTradeNo,
    tradeNo: t.tradeNo,
    status: t.status,
    totalAmount: centsToYuan(t.totalCents),
    refundedAmount: centsToYuan(refundedCents(t)),
    subject: t.subject,
    notifyUrl: t.notifyUrl,
    returnUrl: t.returnUrl,
    createdAt: iso(t.createdAt),
    expiresAt: iso(t.expiresAt),
    paidAt: iso(t.paidAt),
    closedAt: iso(t.closedAt),
    refunds: t.refunds.map((r) => ({ outRequestNo: r.outRequestNo, refundAmount: centsToYuan(r.refundCents), at: iso(r.at) })),
    notifications: t.notifications.map((n) => ({ ...n, at: iso(n.at) })),
    pendingDeliveries: [...store.deliveries.values()]
      .filter((d) => d.outTradeNo === t.outTradeNo)
      .map((d) => ({ notifyId: d.notifyId, tradeStatus: d.params.trade_status, attemptsMade: d.attempts, nextAt: iso(d.nextAt) })),
  };
}

/** Returns false when the path is not an admin route. */
export async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL, deps: AdminDeps): Promise<boolean> {
  const path = url.pathname;
  const method = req.method ?? 'GET';

  if (path === '/sandbox/faults') {
    if (method === 'GET') {
      sendJson(res, 200, deps.notifier.getFaults());
    } else if (method === 'DELETE') {
      sendJson(res, 200, deps.notifier.clearFaults());
    } else if (method === 'POST') {
      const patch = parseFaultsPatch(await readJson(req));
      if (typeof patch === 'string') {
        throw new HttpError(400, patch);
      }
      sendJson(res, 200, deps.notifier.setFaults(patch));
    } else {
      throw new HttpError(405, 'use GET, POST or DELETE');
    }
    return true;
  }
  if (path === '/sandbox/reset' && method === 'POST') {
    deps.notifier.cancelAll();
    deps.store.reset();
    sendJson(res, 200, { reset: true });
    return true;
  }
  if (path === '/sandbox/trades' && method === 'GET') {
    deps.trades.expireDue();
    sendJson(
      res,
      200,
      [...deps.store.trades.values()].map((t) => tradeView(t, deps.store)),
    );
    return true;
  }

  const m = /^\/sandbox\/(trades|cashier)\/([^/]+)(\/pay)?$/.exec(path);
  if (!m) {
    return false;
  }
  const outTradeNo = decodePathSegment(m[2]);
  if (m[1] === 'cashier' && !m[3] && method === 'GET') {
    const t = deps.trades.get(outTradeNo);
    if (!t) {
      sendHtml(res, 404, renderError('40004', 'ACQ.TRADE_NOT_EXIST', 'unknown trade'));
    } else {
      sendHtml(res, 200, renderCashier(t, deps.publicUrl()));
    }
    return true;
  }
  if (m[1] !== 'trades') {
    return false;
  }
  if (!m[3] && method === 'GET') {
    const t = deps.trades.get(outTradeNo);
    if (!t) {
      throw new HttpError(404, `trade ${outTradeNo} does not exist (the payUrl was never opened)`);
    }
    sendJson(res, 200, tradeView(t, deps.store));
    return true;
  }
  if (m[3] && method === 'POST') {
    await pay(req, res, outTradeNo, deps);
    return true;
  }
  return false;
}

/** POST /sandbox/trades/:outTradeNo/pay — JSON (`{force?}`) from tests, or the cashier's form
 * post from a browser, which is then redirected to return_url like Alipay's sync return. */
async function pay(req: IncomingMessage, res: ServerResponse, outTradeNo: string, deps: AdminDeps): Promise<void> {
  const fromBrowser = isForm(req);
  let force = false;
  if (fromBrowser) {
    const f = parseForm(await readBody(req)).force;
    force = f === 'true' || f === '1' || f === 'on';
  } else {
    const body = await readJson(req);
    if (body !== undefined) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw new HttpError(400, 'body must be a JSON object');
      }
      const f = (body as { force?: unknown }).force;
      if (f !== undefined && typeof f !== 'boolean') {
        throw new HttpError(400, 'force must be a boolean');
      }
      force = f === true;
    }
  }

  const result = deps.trades.pay(outTradeNo, force);
  if (!result.ok) {
    if (fromBrowser) {
      return sendHtml(res, result.status, renderError(result.error.code, result.error.sub_code, result.error.sub_msg));
    }
    return sendJson(res, result.status, { error: result.error.sub_code, message: result.error.sub_msg });
  }
  const t = result.trade;
  if (!fromBrowser) {
    return sendJson(res, 200, tradeView(t, deps.store));
  }
  if (!t.returnUrl) {
    return sendHtml(res, 200, renderPaid(t));
  }
  const target = new URL(t.returnUrl);
  for (const [k, v] of Object.entries(buildReturnParams(t, deps.cfg, Date.now()))) {
    target.searchParams.set(k, v);
  }
  res.writeHead(303, { location: target.toString() });
  res.end();
}

/** Optional JSON body: undefined when empty. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

/** A path segment as text; a malformed % escape is the caller's mistake (400), not ours. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'malformed percent-encoding in the path');
  }
}
