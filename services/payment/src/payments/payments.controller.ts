import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, type HttpReply, InternalOnly, OrderSnPipe, Session } from '@shop/shared/nest';
import { IsString, Matches } from 'class-validator';
import { PaymentCloseService } from './payment-close.service';
import { PaymentCreationService } from './payment-creation.service';
import { PaymentQueryService } from './payment-query.service';
import { ClosePaymentResponseDto, PaymentResponseDto, toPaymentResponse } from './payment-response';

export class CreatePaymentDto {
  @ApiProperty({ example: '7269048146335301632', pattern: '^[1-9][0-9]{0,18}$' })
  @IsString()
  @Matches(/^[1-9]\d{0,18}$/, { message: 'orderSn must be an order number' })
  orderSn!: string;
}

@ApiTags('payments')
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly creation: PaymentCreationService,
    private readonly query: PaymentQueryService,
  ) {}

  /** 201 for a new payment; 200 with the same payment while it is pending. */
  @Post()
  @ApiCreatedResponse({ type: PaymentResponseDto, description: 'a new PENDING payment, with the payUrl of its cashier' })
  @ApiOkResponse({ type: PaymentResponseDto, description: 'the same PENDING payment again' })
  @ApiErrors('PAYMENT.IN_PROGRESS', 'ORDER.NOT_FOUND', 'PAYMENT.ALREADY_PAID', 'ORDER.NOT_PAYABLE', 'UPSTREAM.UNAVAILABLE')
  async create(
    @CurrentUser() s: Session,
    @Body() dto: CreatePaymentDto,
    @Res({ passthrough: true }) res: HttpReply,
  ): Promise<PaymentResponseDto> {
    const { payment, payUrl, created } = await this.creation.create(s.userId, dto.orderSn);
    res.status(created ? 201 : 200);
    return toPaymentResponse(payment, payUrl);
  }

  @Get(':orderSn')
  @ApiOkResponse({ type: PaymentResponseDto })
  @ApiErrors('PAYMENT.NOT_FOUND')
  async get(@CurrentUser() s: Session, @Param('orderSn', OrderSnPipe) orderSn: string): Promise<PaymentResponseDto> {
    return toPaymentResponse(await this.query.getForUser(s.userId, orderSn));
  }
}

@ApiTags('internal')
@InternalOnly()
@Controller('internal/payments')
export class InternalPaymentsController {
  constructor(private readonly closing: PaymentCloseService) {}

  @Post(':orderSn/close')
  @HttpCode(200)
  @ApiOkResponse({ type: ClosePaymentResponseDto })
  @ApiErrors('PAYMENT.IN_PROGRESS', 'ORDER.NOT_FOUND', 'UPSTREAM.UNAVAILABLE')
  async close(@Param('orderSn', OrderSnPipe) orderSn: string): Promise<ClosePaymentResponseDto> {
    return { result: await this.closing.close(orderSn) };
  }
}
