import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, InternalOnly, PositiveIntPipe, Session } from '@shop/shared/nest';
import { CartResponseDto } from './cart-response';
import { CartService } from './cart.service';
import { AddCartItemDto, UpdateCartItemDto } from './dto/cart-item.dto';

@ApiTags('cart')
@ApiBearerAuth()
@Controller('cart')
export class CartController {
  constructor(private readonly cart: CartService) {}

  @Get()
  get(@CurrentUser() s: Session): Promise<CartResponseDto> {
    return this.cart.get(s.userId);
  }

  /** 200, not 201: every cart mutation answers with the whole cart (SPEC §4). */
  @Post('items')
  @HttpCode(200)
  add(@CurrentUser() s: Session, @Body() dto: AddCartItemDto): Promise<CartResponseDto> {
    return this.cart.add(s.userId, dto.skuId, dto.quantity);
  }

  @Patch('items/:skuId')
  update(
    @CurrentUser() s: Session,
    @Param('skuId', PositiveIntPipe) skuId: number,
    @Body() dto: UpdateCartItemDto,
  ): Promise<CartResponseDto> {
    return this.cart.update(s.userId, skuId, dto);
  }

  @Delete('items/:skuId')
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
  async checked(@Param('userId', PositiveIntPipe) userId: number): Promise<{ items: Array<{ skuId: number; quantity: number }> }> {
    return { items: await this.cart.checkedItems(userId) };
  }
}
