import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, InternalOnly, OrderSnPipe, Session } from '@shop/shared/nest';
import { ConfirmResponseDto } from './confirm-response';
import { ConfirmOrderQueryDto, CreateOrderDto, ListOrdersQueryDto } from './dto/order.dto';
import { OrderConfirmationService } from './order-confirmation.service';
import {
  InternalOrderResponseDto,
  OrderCreatedResponseDto,
  OrderPageResponseDto,
  OrderResponseDto,
  toInternalOrderResponse,
  toOrderResponse,
} from './order-response';
import { OrderSubmissionService } from './order-submission.service';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@Controller('orders')
export class OrdersController {
  constructor(
    private readonly confirmation: OrderConfirmationService,
    private readonly submission: OrderSubmissionService,
    private readonly orders: OrdersService,
  ) {}

  @Get('confirm')
  @ApiOkResponse({ type: ConfirmResponseDto, description: 'buy now (skuId and quantity) or the cart’s checked items' })
  @ApiErrors('ORDER.EMPTY', 'INVENTORY.SKU_NOT_FOUND', 'UPSTREAM.UNAVAILABLE')
  confirm(@CurrentUser() s: Session, @Query() q: ConfirmOrderQueryDto): Promise<ConfirmResponseDto> {
    return this.confirmation.confirm(s.userId, q);
  }

  @Post()
  @ApiCreatedResponse({ type: OrderCreatedResponseDto })
  @ApiErrors(
    'ORDER.DUPLICATE_SUBMIT',
    'ORDER.PRICE_CHANGED',
    'USER.ADDRESS_NOT_FOUND',
    'INVENTORY.SKU_NOT_FOUND',
    'INVENTORY.INSUFFICIENT_STOCK',
    'UPSTREAM.UNAVAILABLE',
  )
  async create(@CurrentUser() s: Session, @Body() dto: CreateOrderDto): Promise<OrderCreatedResponseDto> {
    const o = await this.submission.submit(s.userId, dto);
    return { orderSn: o.orderSn, status: o.status, totalAmount: o.totalAmount, payDeadline: o.payDeadline.toISOString() };
  }

  @Get()
  @ApiOkResponse({ type: OrderPageResponseDto })
  async list(@CurrentUser() s: Session, @Query() q: ListOrdersQueryDto): Promise<OrderPageResponseDto> {
    const { items, total } = await this.orders.listForUser(s.userId, q.page, q.pageSize);
    return { items: items.map(toOrderResponse), page: q.page, pageSize: q.pageSize, total };
  }

  @Get(':orderSn')
  @ApiOkResponse({ type: OrderResponseDto })
  @ApiErrors('ORDER.NOT_FOUND')
  async get(@CurrentUser() s: Session, @Param('orderSn', OrderSnPipe) orderSn: string): Promise<OrderResponseDto> {
    return toOrderResponse(await this.orders.getForUser(s.userId, orderSn));
  }

  @Post(':orderSn/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderResponseDto, description: 'the order, now CANCELLED (reason USER)' })
  @ApiErrors('ORDER.NOT_FOUND', 'ORDER.INVALID_TRANSITION', 'PAYMENT.IN_PROGRESS', 'UPSTREAM.UNAVAILABLE')
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
  @ApiOkResponse({ type: InternalOrderResponseDto })
  @ApiErrors('ORDER.NOT_FOUND')
  async get(@Param('orderSn', OrderSnPipe) orderSn: string): Promise<InternalOrderResponseDto> {
    return toInternalOrderResponse(await this.orders.get(orderSn));
  }
}
