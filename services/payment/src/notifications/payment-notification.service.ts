import { Inject, Injectable } from '@nestjs/common';
import { PLATFORM_CONFIG } from '@shop/shared/nest';
import { PaymentEnv } from '../config/payment-env';
import { AlipayGateway } from '../infrastructure/alipay/alipay.gateway';
import { PaymentLocks } from '../infrastructure/payment-locks';
import { PaymentRepository } from '../payments/payment.repository';
import { SecurityEvents } from './security-events';
import { parseNotification, TradeState } from './trade-state';
import { TradeStateApplier } from './trade-state.applier';

export type NotifyReply = { ok: true } | { ok: false; reason: string; retryable: boolean };

/**
 * Alipay's asynchronous notification (SPEC §7): verify the signature, check that it is about our
 * app, a trade we know and the exact amount, then apply it under a Redlock on out_trade_no.
 * Anything we refuse changes nothing; a duplicate of something applied is acknowledged again.
 */
@Injectable()
export class PaymentNotificationService {
  constructor(
    private readonly gateway: AlipayGateway,
    private readonly payments: PaymentRepository,
    private readonly applier: TradeStateApplier,
    private readonly locks: PaymentLocks,
    private readonly security: SecurityEvents,
    @Inject(PLATFORM_CONFIG) private readonly config: PaymentEnv,
  ) {}

  async handle(params: Record<string, string>): Promise<NotifyReply> {
    const checked = await this.check(params);
    if ('refusal' in checked) {
      this.security.notificationRejected(checked.refusal, params);
      return { ok: false, reason: checked.refusal, retryable: false };
    }
    const { state } = checked;
    // Waits for a concurrent copy instead of refusing it, so duplicates are acknowledged too.
    const run = await this.locks.run(state.orderSn, () => this.applier.apply(state), 10000);
    return run.busy ? { ok: false, reason: 'lock busy', retryable: true } : { ok: true };
  }

  /** The signature comes first: nothing unsigned is even looked up. */
  private async check(params: Record<string, string>): Promise<{ refusal: string } | { state: TradeState }> {
    if (params.sign_type !== 'RSA2') {
      return { refusal: 'sign_type not RSA2' };
    }
    if (!this.gateway.verifyNotification(params)) {
      return { refusal: 'bad signature' };
    }
    const parsed = parseNotification(params);
    if (!parsed.ok) {
      return { refusal: parsed.reason };
    }
    if (params.app_id !== this.config.ALIPAY_APP_ID) {
      return { refusal: 'app_id mismatch' };
    }
    if (this.config.ALIPAY_SELLER_ID && params.seller_id !== this.config.ALIPAY_SELLER_ID) {
      return { refusal: 'seller_id mismatch' };
    }
    const payment = await this.payments.findBySn(parsed.state.orderSn);
    if (!payment) {
      return { refusal: 'unknown out_trade_no' };
    }
    if (payment.amount !== parsed.state.amount) {
      return { refusal: 'total_amount mismatch' };
    }
    return { state: parsed.state };
  }

  /**
   * The browser's return carries parameters Alipay signed with the notification rule. Only then
   * is the payment's status shown (an unsigned orderSn is anyone's guess); otherwise null.
   */
  async verifiedReturnStatus(params: Record<string, string>): Promise<{ orderSn: string; status: string } | null> {
    const orderSn = params.out_trade_no;
    if (!/^[1-9]\d{0,18}$/.test(orderSn ?? '') || params.app_id !== this.config.ALIPAY_APP_ID || !this.gateway.verifyNotification(params)) {
      return null;
    }
    const payment = await this.payments.findBySn(orderSn);
    return payment ? { orderSn, status: payment.status } : null;
  }
}
