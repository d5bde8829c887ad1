import { Global, Module } from '@nestjs/common';
import { PLATFORM_CONFIG } from '@shop/shared/nest';
import { PaymentEnv } from '../../config/payment-env';
import { PaymentPrisma, PaymentTx } from './payment-prisma.service';

@Global()
@Module({
  providers: [
    {
      provide: PaymentPrisma,
      inject: [PLATFORM_CONFIG],
      useFactory: (c: PaymentEnv) => new PaymentPrisma(c.PAYMENT_DATABASE_URL, c.DATABASE_POOL_SIZE),
    },
    PaymentTx,
  ],
  exports: [PaymentPrisma, PaymentTx],
})
export class PaymentPrismaModule {}
