import { loadEnv } from '@shop/shared/nest';
import { PaymentEnv } from '../../config/payment-env';
import { AlipayGateway } from './alipay.gateway';

/** The pay URL is opened by the buyer's browser; the notify URL is called server to server. */
describe('AlipayGateway.pagePayUrl: browser-facing and server-facing URLs', () => {
  const base = {
    APP_ENV: 'development',
    ALIPAY_GATEWAY_URL: 'http://alipay-sandbox:3100/gateway.do',
    PAYMENT_PUBLIC_URL: 'http://payment:3005',
  };
  const payUrl = (env: NodeJS.ProcessEnv): URL =>
    new URL(new AlipayGateway(loadEnv(PaymentEnv, env)).pagePayUrl('1862453175345152000', 1990, 'order', new Date(Date.now() + 60_000)));

  it('without browser URLs, the pay URL is the gateway itself (as before)', () => {
    const url = payUrl(base);
    expect(`${url.origin}${url.pathname}`).toBe('http://alipay-sandbox:3100/gateway.do');
    expect(url.searchParams.get('return_url')).toBe('http://payment:3005/payments/alipay/return');
  });

  it('with them (docker compose), the browser gets host-reachable URLs; the notify URL and the signed query stay', () => {
    const plain = payUrl(base);
    const url = payUrl({
      ...base,
      ALIPAY_BROWSER_GATEWAY_URL: 'http://localhost:3100/gateway.do',
      PAYMENT_BROWSER_URL: 'http://localhost:3005',
    });
    expect(`${url.origin}${url.pathname}`).toBe('http://localhost:3100/gateway.do');
    expect(url.searchParams.get('return_url')).toBe('http://localhost:3005/payments/alipay/return');
    expect(url.searchParams.get('notify_url')).toBe('http://payment:3005/payments/alipay/notify');
    expect(url.searchParams.get('sign')).toBeTruthy();
    expect(plain.searchParams.get('notify_url')).toBe(url.searchParams.get('notify_url'));
  });
});
