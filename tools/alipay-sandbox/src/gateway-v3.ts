/** OpenAPI v3 trade endpoints for alipay-sdk's curl(): `POST /v3/alipay/trade/<api>` with a JSON
 * body and an `authorization: ALIPAY-SHA256withRSA app_id=..,nonce=..,timestamp=..,sign=..`
 * header. Success is HTTP 200 with the bare business fields; failures are HTTP 4xx with
 * `{code, message}` (the SDK turns those into AlipayRequestError with err.code). Responses
 * carry alipay-timestamp/alipay-nonce/alipay-signature headers, which the SDK verifies. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxConfig } from './config';
import { readBody, send } from './http-util';
import { parseV3Authorization, rsa2Verify, signV3Response, v3RequestContent } from './signing';
import type { Biz, BizResult, TradeService } from './trades';

const V3_METHODS: Record<string, (t: TradeService, biz: Biz) => BizResult> = {
  '/v3/alipay/trade/query': (t, b) => t.query(b),
  '/v3/alipay/trade/close': (t, b) => t.close(b),
  '/v3/alipay/trade/refund': (t, b) => t.refund(b),
  '/v3/alipay/trade/fastpay/refund/query': (t, b) => t.refundQuery(b),
};

export function isV3Path(pathname: string): boolean {
  return pathname in V3_METHODS;
}

export async function handleGatewayV3(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: { cfg: Pick<SandboxConfig, 'appId' | 'merchantPublicKey' | 'alipayPrivateKey'>; trades: TradeService },
): Promise<void> {
  const reply = (status: number, value: object): void => {
    const body = JSON.stringify(value);
    send(res, status, body, 'application/json; charset=utf-8', {
      ...signV3Response(body, deps.cfg.alipayPrivateKey),
      'alipay-trace-id': randomUUID().replaceAll('-', ''),
    });
  };
  if (req.method !== 'POST') {
    return reply(405, { code: 'method-not-allowed', message: 'use POST' });
  }
  const rawBody = await readBody(req);

  const auth = parseV3Authorization(req.headers.authorization);
  if (!auth) {
    return reply(401, { code: 'missing-signature', message: '缺少签名: authorization header "ALIPAY-SHA256withRSA ..." is required' });
  }
  if (auth.fields.app_id !== deps.cfg.appId) {
    return reply(401, { code: 'invalid-app-id', message: `无效的AppID参数: this sandbox serves app_id ${deps.cfg.appId}` });
  }
  if (!auth.fields.nonce || !auth.fields.timestamp) {
    return reply(401, { code: 'invalid-signature', message: 'authorization must carry nonce and timestamp' });
  }
  if (req.headers['alipay-encrypt-type']) {
    return reply(400, { code: 'INVALID_PARAMETER', message: 'content encryption is not supported by the sandbox' });
  }

  // The SDK signs the request path (+ query) exactly as written, so use req.url verbatim.
  const appAuthToken = req.headers['alipay-app-auth-token'];
  const content = v3RequestContent(
    auth,
    req.method,
    req.url ?? url.pathname,
    rawBody,
    typeof appAuthToken === 'string' ? appAuthToken : undefined,
  );
  if (!rsa2Verify(content, auth.sign, deps.cfg.merchantPublicKey)) {
    return reply(401, { code: 'invalid-signature', message: `验签出错，网关生成的验签字符串为：${JSON.stringify(content)}` });
  }

  let biz: Biz;
  try {
    const parsed: unknown = rawBody ? JSON.parse(rawBody) : {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('not an object');
    }
    biz = parsed as Biz;
  } catch {
    return reply(400, { code: 'INVALID_PARAMETER', message: 'body must be a JSON object' });
  }

  const result = V3_METHODS[url.pathname](deps.trades, biz);
  if (result.ok) {
    const { code: _code, msg: _msg, ...fields } = result.data;
    return reply(200, fields);
  }
  // v3 error codes drop v2's product prefix: ACQ.TRADE_NOT_EXIST → TRADE_NOT_EXIST.
  reply(400, { code: result.error.sub_code.replace(/^ACQ\./, ''), message: result.error.sub_msg });
}
