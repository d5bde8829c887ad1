import { centsToYuan } from '@shop/shared';
import { http } from '@shop/shared/testing';
import { createSku } from '../support/system';
import { logsOf, metricValue, ProcessSystem, startProcessSystem } from './support/processes';
import { consistent, Databases, payInSandbox, placeOrder, startPayment, waitFor } from './support/shop';

const PAY_TIMEOUT_S = 3;
const MAX_ATTEMPTS = 2;

/**
 * SPEC §6–§8 compensation while Alipay is down: the refund of a late payment waits for Alipay —
 * retried with backoff for as long as the outage lasts — instead of going to the dead-letter topic
 * after CONSUMER_MAX_ATTEMPTS, and happens once Alipay is back. The outage is real: the sandbox
 * process is SIGKILLed (connections refused) and restarted from its persisted state. With the
 * attempt limit of 2 set here, a consumer that counted outage retries would dead-letter the refund
 * within a second, the payment would stay PAID and the checker would report it.
 */
describe('refund while Alipay is down: it waits out the outage and is made once Alipay is back, never dead-lettered', () => {
  let sys: ProcessSystem;
  let dbs: Databases;
  beforeAll(async () => {
    sys = await startProcessSystem({
      env: {
        ORDER_PAY_TIMEOUT_SECONDS: String(PAY_TIMEOUT_S),
        ORDER_TIMEOUT_JOB_INTERVAL_MS: '200',
        STOCK_LOCK_GRACE_SECONDS: '300',
        STOCK_LOCK_SWEEP_INTERVAL_MS: '3600000',
        PAYMENT_RECONCILE_INTERVAL_MS: '3600000',
        CONSUMER_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        CONSUMER_RETRY_BASE_MS: '100',
      },
    });
    dbs = await Databases.connect(sys);
  }, 90000);
  afterEach(() => consistent(sys, 60000), 90000);
  afterAll(async () => {
    await dbs?.close();
    await sys?.stop();
  }, 60000);

  it('a late payment meets a dead Alipay: retried past the attempt limit, refunded once after the restart', async () => {
    const order = sys.instances.order[0];
    const payment = sys.instances.payment[0];
    const sku = await createSku(sys.url.inventory, { price: 1500, stock: 3 });
    const { buyer, orderSn } = await placeOrder(sys, { sku, quantity: 1 });
    await startPayment(sys.url.payment, buyer, orderSn); // the trade exists at Alipay
    await waitFor(
      `order ${orderSn} cancelled by the timeout job`,
      async () => (await dbs.order(orderSn))?.status === 'CANCELLED',
      PAY_TIMEOUT_S * 1000 + 15000,
    );

    // The order service is frozen so the rejection of the late payment (and with it the refund)
    // waits until Alipay is gone; the buyer's payment lands at the payment service meanwhile.
    order.kill('SIGSTOP');
    try {
      await payInSandbox(sys, orderSn, true);
      await waitFor(`payment ${orderSn} PAID by the notification`, async () => (await dbs.paymentStatus(orderSn)) === 'PAID', 30000);
      sys.sandbox.kill('SIGKILL');
      await waitFor('the sandbox to die', async () => !sys.sandbox.alive, 10000);
    } finally {
      order.kill('SIGCONT');
    }

    const outageRetries = async () =>
      metricValue(await payment.metrics(), 'consumer_retries_total', {
        consumer: 'payment.refunds',
        type: 'OrderPaymentRejected',
        reason: 'upstream_unavailable',
      });
    // Well past the attempt limit, the refund is still being tried, not dead-lettered.
    await waitFor(
      `more than ${MAX_ATTEMPTS * 2} refund attempts against the dead sandbox`,
      async () => (await outageRetries()) > MAX_ATTEMPTS * 2,
      60000,
    );
    expect(await dbs.paymentStatus(orderSn)).toBe('PAID');
    expect(metricValue(await payment.metrics(), 'consumer_events_total', { consumer: 'payment.refunds', outcome: 'dead_lettered' })).toBe(
      0,
    );
    expect(logsOf(payment, 400)).toContain('upstream unavailable; the event waits for it');

    await sys.sandbox.restart();
    await waitFor(
      `payment ${orderSn} REFUNDED after Alipay came back`,
      async () => (await dbs.paymentStatus(orderSn)) === 'REFUNDED',
      60000,
    );
    const trade = (await http('GET', `${sys.sandboxUrl}/sandbox/trades/${orderSn}`)).body;
    expect(trade.refunds).toEqual([{ outRequestNo: `refund-${orderSn}`, refundAmount: centsToYuan(1500), at: expect.any(String) }]);
    expect(await dbs.query('payment', 'SELECT out_request_no, amount FROM refunds WHERE order_sn = $1', [orderSn])).toEqual([
      { out_request_no: `refund-${orderSn}`, amount: 1500 },
    ]);
    expect(await dbs.outboxTypes('payment', orderSn)).toEqual(['PaymentSucceeded', 'PaymentRefunded']);
    expect(metricValue(await payment.metrics(), 'consumer_events_total', { consumer: 'payment.refunds', outcome: 'dead_lettered' })).toBe(
      0,
    );
  }, 150000);
});
