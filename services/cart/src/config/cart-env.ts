import { CommonEnv } from '@shop/shared/nest';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export class CartEnv extends CommonEnv {
  @IsInt()
  @Min(0)
  @Max(65535)
  CART_PORT: number = 3002;

  @IsString()
  @Matches(/^https?:\/\//, { message: 'INVENTORY_SERVICE_URL must be an http(s) URL' })
  INVENTORY_SERVICE_URL: string = 'http://127.0.0.1:3003';
}
