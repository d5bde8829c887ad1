/** The HTML the browser sees: Alipay's cashier (with a Pay button) and result/error pages.
 * Deliberately plain — it exists so a human (or an e2e test) can click through a payment. */
import { centsToYuan, formatCst } from './format';
import { escapeHtml as e } from './http-util';
import type { Trade } from './store';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${e(title)} · Alipay sandbox</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}
.banner{background:#fff3cd;border:1px solid #e0c46c;padding:.5rem;font-size:.85rem}
.amount{font-size:2rem;margin:.5rem 0}button{font-size:1.1rem;padding:.5rem 2rem;background:#1677ff;color:#fff;border:0;border-radius:4px;cursor:pointer}
dt{color:#666;font-size:.85rem}dd{margin:0 0 .5rem}</style></head>
<body><p class="banner">ALIPAY SANDBOX — no real money moves. Development use only.</p>
${body}
</body></html>`;
}

function details(t: Trade): string {
  return `<dl>
<dt>Merchant order (out_trade_no)</dt><dd id="out-trade-no">${e(t.outTradeNo)}</dd>
<dt>Subject</dt><dd>${e(t.subject)}</dd>
<dt>Status</dt><dd id="status">${e(t.status)}</dd>
<dt>Pay before (UTC+8)</dt><dd>${e(formatCst(t.expiresAt))}</dd>
${t.tradeNo ? `<dt>Alipay trade_no</dt><dd id="trade-no">${e(t.tradeNo)}</dd>` : ''}
</dl>`;
}

/** Cashier for a trade: the Pay button (WAIT_BUYER_PAY) posts a form to the pay endpoint. */
export function renderCashier(t: Trade, publicUrl: string): string {
  const action = `${publicUrl}/sandbox/trades/${encodeURIComponent(t.outTradeNo)}/pay`;
  const payable = t.status === 'WAIT_BUYER_PAY';
  return page(
    'Cashier',
    `<h1>Alipay cashier</h1>
<p class="amount" id="total-amount">¥ ${e(centsToYuan(t.totalCents))}</p>
${details(t)}
${
  payable
    ? `<form method="post" action="${e(action)}"><button type="submit" id="pay">Pay</button></form>`
    : `<p id="not-payable">This trade cannot be paid (${e(t.status)}).</p>`
}`,
  );
}

export function renderPaid(t: Trade): string {
  return page(
    'Paid',
    `<h1>Payment successful</h1><p class="amount">¥ ${e(centsToYuan(t.totalCents))}</p>${details(t)}
<p>No return_url was given; you can close this page.</p>`,
  );
}

export function renderError(code: string, subCode: string, message: string): string {
  return page(
    'Error',
    `<h1>Cannot continue</h1>
<p>Error code: <code id="code">${e(code)}</code> / <code id="sub-code">${e(subCode)}</code></p>
<p id="message">${e(message)}</p>`,
  );
}
