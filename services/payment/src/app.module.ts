import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@shop/shared/nest';
import { PaymentEnv } from './config/payment-env';
import { PaymentPrismaModule } from './infrastructure/prisma/payment-prisma.module';
import { PaymentPrisma } from './infrastructure/prisma/payment-prisma.service';
import { PaymentsModule } from './payments/payments.module';

@Module({})
export class PaymentAppModule {
  static forRoot(config: PaymentEnv): DynamicModule {
    return {
      module: PaymentAppModule,
      imports: [PlatformModule.forRoot({ service: 'payment', config, readiness: [PaymentPrisma], outbox: { databaseUrl: config.PAYMENT_DATABASE_URL } }), PaymentPrismaModule, PaymentsModule],
    };
  }
}
