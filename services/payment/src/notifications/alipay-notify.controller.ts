import { Controller, Get, Header, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type HttpReply, LOGGER, Public, UnvalidatedBody } from '@shop/shared/nest';
import type { Logger } from 'pino';
import { PaymentNotificationService } from './payment-notification.service';

/** NUL (PostgreSQL text cannot hold it) or a lone surrogate (jsonb refuses it): never in a stored value. */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Alipay's form-encoded parameters: every value a string (a repeated key makes an array), none
 * holding what the notification log could not store. Anything else is a malformed body.
 */
function asStringRecord(body: unknown): Record<string, string> | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return null;
  }
  const entries = Object.entries(body as Record<string, unknown>);
  const wellFormed = entries.every(([k, v]) => typeof v === 'string' && !UNSTORABLE.test(k) && !UNSTORABLE.test(v));
  return wellFormed ? (Object.fromEntries(entries) as Record<string, string>) : null;
}

/** Query parameters of the return page: strings only (a repeated key is dropped). */
function stringParams(query: unknown): Record<string, string> {
  const entries = Object.entries((query ?? {}) as Record<string, unknown>);
  return Object.fromEntries(entries.filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Alipay's asynchronous notification (trade_status_sync), as its open platform documents it. */
const NOTIFICATION_FIELDS = [
  'notify_id',
  'notify_type',
  'notify_time',
  'app_id',
  'trade_no',
  'out_trade_no',
  'trade_status',
  'total_amount',
  'receipt_amount',
  'buyer_pay_amount',
  'gmt_payment',
  'seller_id',
  'charset',
  'version',
  'sign_type',
  'sign',
];
const NOTIFICATION_SCHEMA = {
  type: 'object',
  description:
    "Alipay's parameters, form-encoded, RSA2-signed with Alipay's key. Other parameters Alipay adds are signed too and accepted.",
  required: ['notify_id', 'notify_type', 'app_id', 'out_trade_no', 'trade_status', 'total_amount', 'sign_type', 'sign'],
  properties: {
    ...Object.fromEntries(NOTIFICATION_FIELDS.map((f) => [f, { type: 'string' }])),
    notify_type: { type: 'string', enum: ['trade_status_sync'] },
    trade_status: { type: 'string', enum: ['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED'] },
    total_amount: { type: 'string', example: '88.80', description: 'yuan, as Alipay writes it' },
    sign_type: { type: 'string', enum: ['RSA2'] },
    charset: { type: 'string', enum: ['utf-8'] },
  },
  additionalProperties: { type: 'string' },
};
const plainText = (value: 'success' | 'failure', description: string) => ({
  description,
  content: { 'text/plain': { schema: { type: 'string', enum: [value] }, example: value } },
});

/**
 * The webhook is the one endpoint answering plain text (SPEC §7): exactly `success` (200) when
 * handled — also for a duplicate — or `failure` (400 refused, 500 our own trouble; Alipay retries).
 */
@ApiTags('alipay')
@Public()
@Controller('payments/alipay')
export class AlipayNotifyController {
  constructor(
    private readonly notifications: PaymentNotificationService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The raw form: the global validation pipe's JSON 400 would break SPEC §7's plain `failure`. */
  @Post('notify')
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: NOTIFICATION_SCHEMA })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, ...plainText('success', 'handled (also a duplicate, or WAIT_BUYER_PAY, which changes nothing)') })
  @ApiResponse({ status: 400, ...plainText('failure', 'refused: bad signature, mismatched fields, unknown trade, malformed body') })
  @ApiResponse({ status: 500, ...plainText('failure', 'our own trouble; Alipay retries') })
  @ApiResponse({ status: 503, ...plainText('failure', 'a dependency is unavailable; Alipay retries') })
  async notify(@UnvalidatedBody() body: unknown, @Res() res: HttpReply): Promise<void> {
    res.type('text/plain; charset=utf-8');
    const params = asStringRecord(body);
    try {
      const reply = params ? await this.notifications.handle(params) : { ok: false as const, reason: 'malformed body', retryable: false };
      if (reply.ok) {
        res.status(200).send('success');
        return;
      }
      res.status(reply.retryable ? 503 : 400).send('failure');
    } catch (err) {
      this.logger.error({ err, outTradeNo: params?.out_trade_no }, 'notification handling failed; Alipay will retry');
      res.status(500).send('failure');
    }
  }

  /**
   * The browser's synchronous return: changes nothing. The current status only for parameters
   * Alipay signed; a guessed orderSn gets the same neutral page as any other unverified return.
   */
  @Get('return')
  @HttpCode(200)
  @ApiProduces('text/html')
  @ApiQuery({ name: 'out_trade_no', required: false, description: "one of Alipay's signed return parameters; any others come along" })
  @ApiQuery({ name: 'sign', required: false })
  @ApiQuery({ name: 'sign_type', required: false })
  @ApiOkResponse({
    description: 'an HTML page with the payment status (for parameters Alipay signed) or a neutral thank-you',
    content: {
      'text/html': { schema: { type: 'string' }, example: '<!doctype html><html>…<h1>Order 7269048146335301632: payment PAID</h1>…' },
    },
  })
  @Header('content-type', 'text/html; charset=utf-8')
  async returnPage(@Query() query: unknown): Promise<string> {
    const verified = await this.notifications.verifiedReturnStatus(stringParams(query));
    const text = verified
      ? `Order ${verified.orderSn}: payment ${verified.status}`
      : 'Thank you. The result of your payment will appear with your order shortly.';
    return `<!doctype html><html><head><title>Payment</title></head><body><h1>${escapeHtml(text)}</h1></body></html>`;
  }
}
