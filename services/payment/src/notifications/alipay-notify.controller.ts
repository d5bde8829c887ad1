import { Body, Controller, Get, Header, HttpCode, Inject, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { LOGGER, Public } from '@shop/shared/nest';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { PaymentQueryService } from '../payments/payment-query.service';
import { PaymentNotificationService } from './payment-notification.service';

/** Alipay's form-encoded parameters: every value a string (a repeated key makes an array). */
function asStringRecord(body: unknown): Record<string, string> | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return null;
  }
  const entries = Object.entries(body as Record<string, unknown>);
  return entries.every(([, v]) => typeof v === 'string') ? (Object.fromEntries(entries) as Record<string, string>) : null;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The webhook is the one endpoint answering plain text (SPEC §7): exactly `success` (200) when
 * handled — also for a duplicate — or `failure` (400 refused, 500 our own trouble; Alipay retries).
 */
@ApiExcludeController()
@Public()
@Controller('payments/alipay')
export class AlipayNotifyController {
  constructor(
    private readonly notifications: PaymentNotificationService,
    private readonly payments: PaymentQueryService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post('notify')
  async notify(@Body() body: unknown, @Res() res: Response): Promise<void> {
    res.type('text/plain');
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

  /** The browser's synchronous return: shows the current status, changes nothing. */
  @Get('return')
  @HttpCode(200)
  @Header('content-type', 'text/html; charset=utf-8')
  async returnPage(@Query('out_trade_no') outTradeNo?: string): Promise<string> {
    const status = /^[1-9]\d{0,18}$/.test(outTradeNo ?? '') ? await this.payments.statusOf(outTradeNo!) : null;
    const text = status ? `Order ${outTradeNo}: payment ${status}` : 'Unknown order';
    return `<!doctype html><html><head><title>Payment</title></head><body><h1>${escapeHtml(text)}</h1></body></html>`;
  }
}
