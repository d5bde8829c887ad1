import { CommonEnv } from '@shop/shared/nest';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export class PaymentEnv extends CommonEnv {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'PAYMENT_DATABASE_URL must be a postgresql:// URL' })
  PAYMENT_DATABASE_URL: string = 'postgresql://postgres@127.0.0.1:5432/shop_payment';

  @IsInt()
  @Min(0)
  @Max(65535)
  PAYMENT_PORT: number = 3005;
}
