import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, InternalOnly, PositiveIntPipe, Session } from '@shop/shared/nest';
import { CartResponseDto, CheckedCartItemsResponseDto } from './cart-response';
import { CartService } from './cart.service';
import { AddCartItemDto, UpdateCartItemDto } from './dto/cart-item.dto';

const THE_CART = { type: CartResponseDto, description: 'the whole cart, with current titles and prices' };

@ApiTags('cart')
@Controller('cart')
export class CartController {
  constructor(private readonly cart: CartService) {}

  @Get()
  @ApiOkResponse(THE_CART)
  @ApiErrors('UPSTREAM.UNAVAILABLE')
  get(@CurrentUser() s: Session): Promise<CartResponseDto> {
    return this.cart.get(s.userId);
  }

  /** 200, not 201: every cart mutation answers with the whole cart (SPEC §4). */
  @Post('items')
  @HttpCode(200)
  @ApiOkResponse(THE_CART)
  @ApiErrors('INVENTORY.SKU_NOT_FOUND', 'CART.QUANTITY_LIMIT', 'CART.TOO_MANY_ITEMS', 'UPSTREAM.UNAVAILABLE')
  add(@CurrentUser() s: Session, @Body() dto: AddCartItemDto): Promise<CartResponseDto> {
    return this.cart.add(s.userId, dto.skuId, dto.quantity);
  }

  @Patch('items/:skuId')
  @ApiOkResponse(THE_CART)
  @ApiErrors('CART.ITEM_NOT_FOUND', 'UPSTREAM.UNAVAILABLE')
  update(
    @CurrentUser() s: Session,
    @Param('skuId', PositiveIntPipe) skuId: number,
    @Body() dto: UpdateCartItemDto,
  ): Promise<CartResponseDto> {
    return this.cart.update(s.userId, skuId, dto);
  }

  @Delete('items/:skuId')
  @ApiOkResponse(THE_CART)
  @ApiErrors('CART.ITEM_NOT_FOUND', 'UPSTREAM.UNAVAILABLE')
  remove(@CurrentUser() s: Session, @Param('skuId', PositiveIntPipe) skuId: number): Promise<CartResponseDto> {
    return this.cart.remove(s.userId, skuId);
  }
}

@ApiTags('internal')
@InternalOnly()
@Controller('internal/carts/:userId')
export class InternalCartController {
  constructor(private readonly cart: CartService) {}

  @Get('checked-items')
  @ApiOkResponse({ type: CheckedCartItemsResponseDto })
  async checked(@Param('userId', PositiveIntPipe) userId: number): Promise<CheckedCartItemsResponseDto> {
    return { items: await this.cart.checkedItems(userId) };
  }
}
