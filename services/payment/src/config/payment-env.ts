import { CommonEnv, ConfigProblem, DevelopmentDefault, EnvBoolean, RunMode } from '@shop/shared/nest';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { join } from 'node:path';
import { keyFileProblems } from './alipay-keys';

const URL_RULE = /^https?:\/\//;
// services/payment/{src,dist}/config → repository root; the committed keys are sandbox-only.
const SANDBOX_KEYS = join(__dirname, '..', '..', '..', '..', 'tools', 'alipay-sandbox', 'keys');

export class PaymentEnv extends CommonEnv {
  @IsString()
  @Matches(/^postgres(ql)?:\/\//, { message: 'PAYMENT_DATABASE_URL must be a postgresql:// URL' })
  PAYMENT_DATABASE_URL: string = 'postgresql://postgres@127.0.0.1:5432/shop_payment';

  @IsInt()
  @Min(0)
  @Max(65535)
  PAYMENT_PORT: number = 3005;

  @IsString()
  @Matches(URL_RULE)
  ORDER_SERVICE_URL: string = 'http://127.0.0.1:3004';

  /** Base URL at which Alipay (or the sandbox) reaches this service's notify webhook. */
  @IsString()
  @Matches(URL_RULE)
  PAYMENT_PUBLIC_URL: string = 'http://127.0.0.1:3005';

  /** The sandbox's app id by default: a real deployment names its own. */
  @DevelopmentDefault()
  @IsString()
  @Matches(/^\d{16}$/, { message: 'ALIPAY_APP_ID must be the 16-digit app id' })
  ALIPAY_APP_ID: string = '2021000000000001';

  /** When set, notifications must carry this seller_id. */
  @IsOptional()
  @Matches(/^\d{16}$/, { message: 'ALIPAY_SELLER_ID must be the 16-digit seller id' })
  ALIPAY_SELLER_ID?: string = undefined;

  @IsString()
  @Matches(URL_RULE)
  ALIPAY_GATEWAY_URL: string = 'http://127.0.0.1:3100/gateway.do';

  /**
   * The gateway as the BUYER's browser reaches it, for the pay URL (e.g. under docker compose the
   * server-to-server name `alipay-sandbox` does not resolve on the host). Unset: ALIPAY_GATEWAY_URL.
   */
  @IsOptional()
  @Matches(URL_RULE)
  ALIPAY_BROWSER_GATEWAY_URL?: string = undefined;

  /** This service as the buyer's browser reaches it, for Alipay's return page. Unset: PAYMENT_PUBLIC_URL. */
  @IsOptional()
  @Matches(URL_RULE)
  PAYMENT_BROWSER_URL?: string = undefined;

  /** The sandbox's committed keys by default (development only; production refuses them). */
  @DevelopmentDefault()
  @IsString()
  ALIPAY_MERCHANT_PRIVATE_KEY_PATH: string = join(SANDBOX_KEYS, 'merchant-private.pem');

  @DevelopmentDefault()
  @IsString()
  ALIPAY_PUBLIC_KEY_PATH: string = join(SANDBOX_KEYS, 'alipay-public.pem');

  /** PENDING payments older than this are queried at Alipay (lost notifications). */
  @IsInt()
  @Min(0)
  PAYMENT_RECONCILE_AFTER_SECONDS: number = 300;

  @IsInt()
  @Min(10)
  PAYMENT_RECONCILE_INTERVAL_MS: number = 10000;

  /**
   * The Redlocks around payment creation and notifications only keep contenders from piling up;
   * correctness comes from conditional UPDATEs and unique keys. Tests switch them off to prove it.
   */
  @EnvBoolean()
  @IsBoolean()
  PAYMENT_REDLOCK_ENABLED: boolean = true;

  /** Both key files must hold RSA keys of the right kind; outside development, not the sandbox's. */
  override crossCheck(mode: RunMode): ConfigProblem[] {
    const allowSandbox = mode === 'development';
    return [
      ...super.crossCheck(mode),
      ...keyFileProblems('ALIPAY_MERCHANT_PRIVATE_KEY_PATH', this.ALIPAY_MERCHANT_PRIVATE_KEY_PATH, 'private', allowSandbox),
      ...keyFileProblems('ALIPAY_PUBLIC_KEY_PATH', this.ALIPAY_PUBLIC_KEY_PATH, 'public', allowSandbox),
    ];
  }
}
