import { CommonEnv } from '@shop/shared/nest';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export class OrderEnv extends CommonEnv {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'ORDER_DATABASE_URL must be a postgresql:// URL' })
  ORDER_DATABASE_URL: string = 'postgresql://postgres@127.0.0.1:5432/shop_order';

  @IsInt()
  @Min(0)
  @Max(65535)
  ORDER_PORT: number = 3004;
}
