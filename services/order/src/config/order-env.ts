import { CommonEnv } from '@shop/shared/nest';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

const URL_RULE = /^https?:\/\//;

export class OrderEnv extends CommonEnv {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'ORDER_DATABASE_URL must be a postgresql:// URL' })
  ORDER_DATABASE_URL: string = 'postgresql://postgres@127.0.0.1:5432/shop_order';

  @IsInt()
  @Min(0)
  @Max(65535)
  ORDER_PORT: number = 3004;

  @IsString()
  @Matches(URL_RULE)
  USER_SERVICE_URL: string = 'http://127.0.0.1:3001';

  @IsString()
  @Matches(URL_RULE)
  CART_SERVICE_URL: string = 'http://127.0.0.1:3002';

  @IsString()
  @Matches(URL_RULE)
  INVENTORY_SERVICE_URL: string = 'http://127.0.0.1:3003';

  @IsString()
  @Matches(URL_RULE)
  PAYMENT_SERVICE_URL: string = 'http://127.0.0.1:3005';

  /** How long a buyer has to pay (15 min). */
  @IsInt()
  @Min(1)
  ORDER_PAY_TIMEOUT_SECONDS: number = 900;

  /** Lifetime of an order token from confirm (30 min). */
  @IsInt()
  @Min(1)
  ORDER_TOKEN_TTL_SECONDS: number = 1800;

  /** Stock stays locked this long after the pay deadline, covering a payment that lands late. */
  @IsInt()
  @Min(0)
  STOCK_LOCK_GRACE_SECONDS: number = 300;

  @IsInt()
  @Min(10)
  ORDER_TIMEOUT_JOB_INTERVAL_MS: number = 5000;

  /** Lease of the leader-elected timeout job: how long a dead leader blocks the job before another takes over. */
  @IsInt()
  @Min(1000)
  @Max(600000)
  ORDER_TIMEOUT_LEASE_MS: number = 10000;

  /** Close calls the timeout job keeps in flight at once. */
  @IsInt()
  @Min(1)
  @Max(256)
  ORDER_TIMEOUT_CONCURRENCY: number = 16;
}
