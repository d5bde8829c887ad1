import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, InternalOnly, OrderSnPipe, Session } from '@shop/shared/nest';
import { ConfirmOrderQueryDto, CreateOrderDto, ListOrdersQueryDto } from './dto/order.dto';
import { ConfirmResponseDto, OrderConfirmationService } from './order-confirmation.service';
import { OrderResponseDto, toInternalOrderResponse, toOrderResponse } from './order-response';
import { OrderSubmissionService } from './order-submission.service';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly confirmation: OrderConfirmationService,
    private readonly submission: OrderSubmissionService,
    private readonly orders: OrdersService,
  ) {}

  @Get('confirm')
  confirm(@CurrentUser() s: Session, @Query() q: ConfirmOrderQueryDto): Promise<ConfirmResponseDto> {
    return this.confirmation.confirm(s.userId, q);
  }

  @Post()
  async create(
    @CurrentUser() s: Session,
    @Body() dto: CreateOrderDto,
  ): Promise<{ orderSn: string; status: string; totalAmount: number; payDeadline: string }> {
    const o = await this.submission.submit(s.userId, dto);
    return { orderSn: o.orderSn, status: o.status, totalAmount: o.totalAmount, payDeadline: o.payDeadline.toISOString() };
  }

  @Get()
  async list(
    @CurrentUser() s: Session,
    @Query() q: ListOrdersQueryDto,
  ): Promise<{ items: OrderResponseDto[]; page: number; pageSize: number; total: number }> {
    const { items, total } = await this.orders.listForUser(s.userId, q.page, q.pageSize);
    return { items: items.map(toOrderResponse), page: q.page, pageSize: q.pageSize, total };
  }

  @Get(':orderSn')
  async get(@CurrentUser() s: Session, @Param('orderSn', OrderSnPipe) orderSn: string): Promise<OrderResponseDto> {
    return toOrderResponse(await this.orders.getForUser(s.userId, orderSn));
  }

  @Post(':orderSn/cancel')
  @HttpCode(200)
  async cancel(@CurrentUser() s: Session, @Param('orderSn', OrderSnPipe) orderSn: string): Promise<OrderResponseDto> {
    return toOrderResponse(await this.orders.cancel(s.userId, orderSn));
  }
}

@ApiTags('internal')
@InternalOnly()
@Controller('internal/orders')
export class InternalOrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get(':orderSn')
  async get(@Param('orderSn', OrderSnPipe) orderSn: string): Promise<OrderResponseDto & { userId: number }> {
    return toInternalOrderResponse(await this.orders.get(orderSn));
  }
}
