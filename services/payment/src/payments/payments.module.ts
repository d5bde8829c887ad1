import { Module } from '@nestjs/common';
import { OrderClient } from '../clients/order.client';
import { AlipayGateway } from '../infrastructure/alipay/alipay.gateway';
import { PaymentLocks } from '../infrastructure/payment-locks';
import { AlipayNotifyController } from '../notifications/alipay-notify.controller';
import { NotificationRepository } from '../notifications/notification.repository';
import { PaymentNotificationService } from '../notifications/payment-notification.service';
import { SecurityEvents } from '../notifications/security-events';
import { TradeStateApplier } from '../notifications/trade-state.applier';
import { OutboxRepository } from '../outbox/outbox.repository';
import { ReconciliationJob } from '../reconciliation/reconciliation.job';
import { TradeReconciler } from '../reconciliation/trade-reconciler';
import { RefundRepository } from '../refunds/refund.repository';
import { RefundService } from '../refunds/refund.service';
import { OrderEventsConsumer } from '../refunds/order-events.consumer';
import { PaymentCloseService } from './payment-close.service';
import { PaymentCreationService } from './payment-creation.service';
import { PaymentQueryService } from './payment-query.service';
import { PaymentRepository } from './payment.repository';
import { InternalPaymentsController, PaymentsController } from './payments.controller';

/**
 * The payment context in one module: its parts are small and all revolve around one aggregate;
 * splitting them into Nest modules would only add export lists.
 */
@Module({
  controllers: [PaymentsController, InternalPaymentsController, AlipayNotifyController],
  providers: [
    OrderClient,
    AlipayGateway,
    PaymentLocks,
    PaymentRepository,
    NotificationRepository,
    RefundRepository,
    OutboxRepository,
    SecurityEvents,
    TradeStateApplier,
    TradeReconciler,
    PaymentNotificationService,
    PaymentCreationService,
    PaymentQueryService,
    PaymentCloseService,
    ReconciliationJob,
    RefundService,
    OrderEventsConsumer,
  ],
})
export class PaymentsModule {}
