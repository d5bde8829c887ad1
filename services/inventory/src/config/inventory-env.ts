import { CommonEnv } from '@shop/shared/nest';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export class InventoryEnv extends CommonEnv {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'INVENTORY_DATABASE_URL must be a postgresql:// URL' })
  INVENTORY_DATABASE_URL: string = 'postgresql://postgres@127.0.0.1:5432/shop_inventory';

  @IsInt()
  @Min(0)
  @Max(65535)
  INVENTORY_PORT: number = 3003;
}
