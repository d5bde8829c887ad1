import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { type HttpReply, InternalOnly, OrderSnPipe } from '@shop/shared/nest';
import { LockStockDto } from './dto/lock-stock.dto';
import { StockLockResponseDto, toStockLockResponse } from './stock-lock-response';
import { StockLockService } from './stock-lock.service';

/** Called by the order service (SPEC §5). */
@ApiTags('stock-locks')
@ApiSecurity('internal')
@InternalOnly()
@Controller('internal/stock-locks')
export class StockLocksController {
  constructor(private readonly locks: StockLockService) {}

  /** 201 when this call locked the stock, 200 when it replayed an earlier lock of the same orderSn. */
  @Post()
  async lock(@Body() dto: LockStockDto, @Res({ passthrough: true }) res: HttpReply): Promise<StockLockResponseDto> {
    const { orderSn, expiresAt, items, expectedTotal } = dto;
    const result = await this.locks.lock({ orderSn, expiresAt: new Date(expiresAt), items, expectedTotal });
    res.status(result.created ? HttpStatus.CREATED : HttpStatus.OK);
    return toStockLockResponse(result.orderSn, result.locks, result.prices);
  }

  @Get(':orderSn')
  async get(@Param('orderSn', OrderSnPipe) orderSn: string): Promise<StockLockResponseDto> {
    return toStockLockResponse(orderSn, await this.locks.get(orderSn));
  }

  @Post(':orderSn/release')
  @HttpCode(HttpStatus.OK)
  async release(@Param('orderSn', OrderSnPipe) orderSn: string): Promise<StockLockResponseDto> {
    return toStockLockResponse(orderSn, await this.locks.release(orderSn));
  }
}
