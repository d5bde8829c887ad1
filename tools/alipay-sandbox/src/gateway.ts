/** OpenAPI v2 gateway (`/gateway.do`): what alipay-sdk's exec() POSTs to and what the URL /
 * form from pageExecute() opens in the browser. Checks the common parameters in Alipay's order,
 * verifies the merchant's RSA2 signature, then dispatches on `method`. JSON answers are
 * `{"<method>_response":{...},"sign":"..."}` signed with Alipay's key; page pay answers HTML. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderCashier, renderError } from './cashier';
import type { SandboxConfig } from './config';
import { parseCst } from './format';
import { isForm, parseForm, readBody, send, sendHtml } from './http-util';
import { signedResponseBody, verifyRequestSignature, type Params } from './signing';
import type { Biz, BizError, BizResult, TradeService } from './trades';

export interface GatewayDeps {
  cfg: Pick<SandboxConfig, 'appId' | 'merchantPublicKey' | 'alipayPrivateKey'>;
  trades: TradeService;
  /** Base URL for links in the cashier page. */
  publicUrl: () => string;
}

const PAGE_PAY = 'alipay.trade.page.pay';

const missing = (what: string, sub_msg: string): BizError => ({
  code: '40001',
  msg: 'Missing Required Arguments',
  sub_code: `isv.missing-${what}`,
  sub_msg,
});
const invalidArg = (what: string, sub_msg: string): BizError => ({
  code: '40002',
  msg: 'Invalid Arguments',
  sub_code: `isv.invalid-${what}`,
  sub_msg,
});

/** Common-parameter checks in roughly the order Alipay's gateway applies them. */
function checkCommon(p: Params, cfg: GatewayDeps['cfg']): BizError | null {
  if (!p.app_id) {
    return missing('app-id', '缺少appId参数');
  }
  if (p.app_id !== cfg.appId) {
    return invalidArg('app-id', `无效的AppID参数: this sandbox serves app_id ${cfg.appId}`);
  }
  if (p.format !== undefined && p.format.toUpperCase() !== 'JSON') {
    return invalidArg('format', '无效的数据格式参数: only JSON');
  }
  if (p.charset !== undefined && p.charset.toLowerCase() !== 'utf-8') {
    return invalidArg('charset', '字符集错误: only utf-8');
  }
  if (!p.sign_type) {
    return missing('signature-type', '缺少签名类型参数');
  }
  if (p.sign_type !== 'RSA2') {
    return invalidArg('signature-type', '无效的签名类型参数: the sandbox accepts RSA2 only');
  }
  if (!p.sign) {
    return missing('signature', '缺少签名参数');
  }
  if (!p.timestamp) {
    return missing('timestamp', '缺少时间戳参数');
  }
  if (parseCst(p.timestamp) === null) {
    return invalidArg('timestamp', '非法的时间戳参数: expected "yyyy-MM-dd HH:mm:ss"');
  }
  if (!p.version) {
    return missing('version', '缺少版本参数');
  }
  if (p.version !== '1.0') {
    return invalidArg('version', '非法的版本参数: only 1.0');
  }
  if (p.encrypt_type) {
    return invalidArg('encrypt-type', 'content encryption (AES) is not supported by the sandbox');
  }
  return null;
}

export async function handleGatewayV2(req: IncomingMessage, res: ServerResponse, url: URL, deps: GatewayDeps): Promise<void> {
  // exec() puts the common params in the query and biz_content in a form body; the GET payUrl
  // carries everything in the query. Merge both (query first, like Alipay's URL args).
  const params = parseForm(url.search);
  if (req.method === 'POST') {
    const body = await readBody(req);
    if (body && (isForm(req) || !req.headers['content-type'])) {
      for (const [k, v] of Object.entries(parseForm(body))) {
        if (!(k in params)) {
          params[k] = v;
        }
      }
    } else if (body) {
      return reply(res, undefined, invalidArg('content-type', 'the v2 gateway takes application/x-www-form-urlencoded'), deps);
    }
  }

  const method = params.method;
  if (!method) {
    return reply(res, undefined, missing('method', '缺少方法名参数'), deps);
  }
  const problem = checkCommon(params, deps.cfg);
  if (problem) {
    return reply(res, method, problem, deps);
  }

  const verified = verifyRequestSignature(params, deps.cfg.merchantPublicKey);
  if (!verified.ok) {
    return reply(
      res,
      method,
      invalidArg('signature', `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${verified.content}`),
      deps,
    );
  }

  let biz: Biz = {};
  if (params.biz_content) {
    try {
      const parsed: unknown = JSON.parse(params.biz_content);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new Error('not an object');
      }
      biz = parsed as Biz;
    } catch {
      return reply(res, method, invalidArg('parameter', 'biz_content must be a JSON object'), deps);
    }
  }

  if (method === PAGE_PAY) {
    return pagePay(res, biz, params, deps);
  }
  const result = dispatch(method, biz, deps.trades);
  if (!result) {
    return reply(
      res,
      method,
      invalidArg('method', `不存在的方法名: the sandbox supports ${PAGE_PAY}, ${[...Object.keys(JSON_METHODS)].join(', ')}`),
      deps,
    );
  }
  reply(res, method, result.ok ? result.data : result.error, deps);
}

const JSON_METHODS: Record<string, (t: TradeService, biz: Biz) => BizResult> = {
  'alipay.trade.query': (t, b) => t.query(b),
  'alipay.trade.close': (t, b) => t.close(b),
  'alipay.trade.refund': (t, b) => t.refund(b),
  'alipay.trade.fastpay.refund.query': (t, b) => t.refundQuery(b),
};

function dispatch(method: string, biz: Biz, trades: TradeService): BizResult | null {
  const fn = JSON_METHODS[method];
  return fn ? fn(trades, biz) : null;
}

function pagePay(res: ServerResponse, biz: Biz, params: Params, deps: GatewayDeps): void {
  const opened = deps.trades.openPagePay(biz, params.notify_url, params.return_url);
  if (!opened.ok) {
    return sendHtml(res, 400, renderError(opened.error.code, opened.error.sub_code, opened.error.sub_msg));
  }
  // Closed trades (expired, or closed by the merchant) still render, but answer 409.
  sendHtml(res, opened.trade.status === 'TRADE_CLOSED' ? 409 : 200, renderCashier(opened.trade, deps.publicUrl()));
}

/** Sends a signed JSON answer; page pay errors become an HTML page (it is a browser). Without
 * a method Alipay answers under `error_response`. HTTP status is 200 even for errors — the SDK
 * treats anything else as a transport failure. */
function reply(res: ServerResponse, method: string | undefined, data: object, deps: GatewayDeps): void {
  if (method === PAGE_PAY && 'sub_code' in data) {
    const e = data as BizError;
    return sendHtml(res, 400, renderError(e.code, e.sub_code, e.sub_msg));
  }
  const key = method ? `${method.replaceAll('.', '_')}_response` : 'error_response';
  send(res, 200, signedResponseBody(key, data, deps.cfg.alipayPrivateKey), 'application/json; charset=utf-8');
}
