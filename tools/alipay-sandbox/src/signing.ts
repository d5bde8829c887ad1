/** RSA2 (SHA256withRSA) signing rules of Alipay's open platform, mirrored from what alipay-sdk
 * 4.x produces and verifies (node_modules/alipay-sdk/dist/commonjs/{util,alipay}.js). */
import { createSign, createVerify, randomUUID } from 'node:crypto';

export type Params = Record<string, string>;

/** Keys sorted (code-unit order, like the SDK's `Object.keys().sort()`), `k=v` joined with `&`,
 * raw (not URL-encoded) values. Empty values are skipped: Alipay's gateway drops them, and we
 * never emit any, so the SDK's notify check (which keeps them) sees the same string. */
export function signContent(params: Params, exclude: readonly string[]): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && params[k] !== undefined && params[k] !== '')
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export function rsa2Sign(content: string, privateKeyPem: string): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKeyPem, 'base64');
}

export function rsa2Verify(content: string, signature: string, publicKeyPem: string): boolean {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKeyPem, signature, 'base64');
  } catch {
    return false; // malformed signature/base64 is just "invalid", not a server error
  }
}

/** v2 request signature: every parameter except `sign` — `sign_type` IS part of the signed
 * content for requests (the SDK's `sign()` includes it), unlike notifications. */
export function verifyRequestSignature(params: Params, merchantPublicKeyPem: string): { ok: boolean; content: string } {
  const content = signContent(params, ['sign']);
  return { ok: rsa2Verify(content, params.sign ?? '', merchantPublicKeyPem), content };
}

/** v2 response body `{"<method>_response":{...},"sign":"..."}`. The SDK verifies the exact
 * text between the response key and `"sign"` (getSignStr), so we sign the very JSON string we
 * embed and put `sign` last, as Alipay does. */
export function signedResponseBody(responseKey: string, data: object, alipayPrivateKeyPem: string): string {
  const json = JSON.stringify(data);
  const sign = rsa2Sign(json, alipayPrivateKeyPem);
  return `{${JSON.stringify(responseKey)}:${json},"sign":${JSON.stringify(sign)}}`;
}

/** Async notifications and the browser return (return_url): drop `sign` and `sign_type`, sign
 * the rest. Returns a copy with `sign_type=RSA2` and `sign` added. */
export function signNotifyParams(params: Params, alipayPrivateKeyPem: string): Params {
  const clean: Params = {};
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== '') {
      clean[k] = v;
    }
  }
  const sign = rsa2Sign(signContent(clean, ['sign', 'sign_type']), alipayPrivateKeyPem);
  return { ...clean, sign_type: 'RSA2', sign };
}

// ---- OpenAPI v3 (sdk.curl) ----

export interface V3Auth {
  /** Everything before `,sign=` — it is signed verbatim. */
  authString: string;
  fields: Record<string, string>;
  sign: string;
}

/** `ALIPAY-SHA256withRSA app_id=..,nonce=..,timestamp=..,sign=<base64>` → parts, or null. */
export function parseV3Authorization(header: string | undefined): V3Auth | null {
  const prefix = 'ALIPAY-SHA256withRSA ';
  if (!header?.startsWith(prefix)) {
    return null;
  }
  const rest = header.slice(prefix.length);
  const at = rest.lastIndexOf(',sign=');
  if (at < 0) {
    return null;
  }
  const authString = rest.slice(0, at);
  const fields: Record<string, string> = {};
  for (const part of authString.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      fields[part.slice(0, eq)] = part.slice(eq + 1);
    }
  }
  return { authString, fields, sign: rest.slice(at + ',sign='.length) };
}

/** v3 request sign content: `${authString}\n${METHOD}\n${path+query}\n${body}\n[${appAuthToken}\n]`. */
export function v3RequestContent(auth: V3Auth, method: string, pathWithQuery: string, body: string, appAuthToken?: string): string {
  let content = `${auth.authString}\n${method}\n${pathWithQuery}\n${body}\n`;
  if (appAuthToken) {
    content += `${appAuthToken}\n`;
  }
  return content;
}

/** v3 response headers: the SDK verifies `${alipay-timestamp}\n${alipay-nonce}\n${body}\n`. */
export function signV3Response(body: string, alipayPrivateKeyPem: string, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  const nonce = randomUUID().replaceAll('-', '');
  return {
    'alipay-timestamp': timestamp,
    'alipay-nonce': nonce,
    'alipay-signature': rsa2Sign(`${timestamp}\n${nonce}\n${body}\n`, alipayPrivateKeyPem),
  };
}
