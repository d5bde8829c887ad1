import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CurrentUser, InternalOnly, OrderSnPipe, Session } from '@shop/shared/nest';
import { IsString, Matches } from 'class-validator';
import type { Response } from 'express';
import { PaymentCloseService, CloseResult } from './payment-close.service';
import { PaymentCreationService } from './payment-creation.service';
import { PaymentQueryService } from './payment-query.service';
import { PaymentResponseDto, toPaymentResponse } from './payment-response';

export class CreatePaymentDto {
  @ApiProperty()
  @IsString()
  @Matches(/^[1-9]\d{0,18}$/, { message: 'orderSn must be an order number' })
  orderSn!: string;
}

@ApiTags('payments')
@ApiBearerAuth()
@Controller('payments')
export class PaymentsController {
  constructor(
    private readonly creation: PaymentCreationService,
    private readonly query: PaymentQueryService,
  ) {}

  /** 201 for a new payment; 200 with the same payment while it is pending. */
  @Post()
  async create(
    @CurrentUser() s: Session,
    @Body() dto: CreatePaymentDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentResponseDto> {
    const { payment, payUrl, created } = await this.creation.create(s.userId, dto.orderSn);
    res.status(created ? 201 : 200);
    return toPaymentResponse(payment, payUrl);
  }

  @Get(':orderSn')
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
  async close(@Param('orderSn', OrderSnPipe) orderSn: string): Promise<{ result: CloseResult }> {
    return { result: await this.closing.close(orderSn) };
  }
}
