import { Module } from '@nestjs/common';
import { ServiceClients } from '../clients/service-clients';
import { OrderSnGenerator } from '../infrastructure/order-sn.generator';
import { OrderTokenStore } from '../order-tokens/order-token.store';
import { OutboxRepository } from '../outbox/outbox.repository';
import { OrderCancellationService } from './order-cancellation.service';
import { OrderConfirmationService } from './order-confirmation.service';
import { OrderStateMachine } from './order-state-machine';
import { OrderSubmissionService } from './order-submission.service';
import { InternalOrdersController, OrdersController } from './orders.controller';
import { OrdersService } from './orders.service';
import { OrderRepository } from './order.repository';
import { PaymentEventsConsumer } from './payment-events.consumer';

@Module({
  controllers: [OrdersController, InternalOrdersController],
  providers: [
    ServiceClients,
    OrderSnGenerator,
    OrderTokenStore,
    OutboxRepository,
    OrderRepository,
    OrderStateMachine,
    OrderConfirmationService,
    OrderSubmissionService,
    OrderCancellationService,
    OrdersService,
    PaymentEventsConsumer,
  ],
  exports: [OrderCancellationService, OrderRepository, OrderStateMachine, PaymentEventsConsumer],
})
export class OrdersModule {}
