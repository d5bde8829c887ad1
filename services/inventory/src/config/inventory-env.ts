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

  /** The stock-lock sweeper asks the order service what became of an order before touching its locks. */
  @IsString()
  @Matches(/^https?:\/\//, { message: 'ORDER_SERVICE_URL must be an http(s) URL' })
  ORDER_SERVICE_URL: string = 'http://127.0.0.1:3004';

  @IsInt()
  @Min(10)
  @Max(24 * 60 * 60 * 1000)
  STOCK_LOCK_SWEEP_INTERVAL_MS: number = 10000;

  /**
   * Stock-lock group commit: lanes with a batch in flight at once (each one database connection at
   * a time), and the most requests one batch carries. Requests are laned by their first SKU.
   */
  @IsInt()
  @Min(1)
  @Max(64)
  STOCK_LOCK_LANES: number = 4;

  @IsInt()
  @Min(1)
  @Max(1000)
  STOCK_LOCK_MAX_BATCH: number = 200;
}
