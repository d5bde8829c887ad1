import { ApiCreatedResponse, ApiOkResponse, ApiProperty } from '@nestjs/swagger';
import { ApiErrors } from '@shop/shared/nest';
import type { LinePrice, StockLockItemResponseDto, StockLockResponseDto, StockLockStatus } from '../stock-locks/stock-lock-response';
import { StockLocksController } from '../stock-locks/stock-locks.controller';

// The stock-lock controller's OpenAPI, applied from outside its folder while that folder is being
// reworked (issue 11 leaves services/inventory/src/stock-locks untouched). The classes implement the
// interfaces the controller returns, so a field removed or retyped there fails the build here; the
// contract checks of the tests catch a field added there. Move both into stock-locks/ when it is free.

class StockLockItemDoc implements StockLockItemResponseDto {
  @ApiProperty({ type: 'integer', example: 5 })
  skuId!: number;

  @ApiProperty({ type: 'integer', example: 2 })
  quantity!: number;

  @ApiProperty({ enum: ['LOCKED', 'DEDUCTED', 'RELEASED'], example: 'LOCKED' })
  status!: StockLockStatus;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T15:20:00.000Z' })
  expiresAt!: string;
}

class LinePriceDoc implements LinePrice {
  @ApiProperty({ type: 'integer', example: 5 })
  skuId!: number;

  @ApiProperty({ example: 'Limited edition desk mat' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 8880, description: 'cents' })
  unitPrice!: number;
}

class StockLockDoc implements StockLockResponseDto {
  @ApiProperty({ example: '7269048146335301632', pattern: '^[1-9][0-9]{0,18}$', description: 'decimal string (can exceed 2^53)' })
  orderSn!: string;

  @ApiProperty({ type: [StockLockItemDoc] })
  items!: StockLockItemDoc[];

  @ApiProperty({
    type: [LinePriceDoc],
    required: false,
    description: 'only when the request carried expectedTotal: the current prices that total was checked against',
  })
  prices?: LinePriceDoc[];
}

type Method = Extract<keyof StockLocksController, string>;

function document(method: Method, ...decorators: MethodDecorator[]): void {
  const target = StockLocksController.prototype;
  const descriptor = Object.getOwnPropertyDescriptor(target, method)!;
  for (const decorate of decorators) {
    decorate(target, method, descriptor);
  }
}

let documented = false;

/** Decorates StockLocksController's routes once (before the app builds its document). */
export function documentStockLocks(): void {
  if (documented) {
    return;
  }
  documented = true;
  document(
    'lock',
    ApiCreatedResponse({ type: StockLockDoc, description: 'this call locked the stock' }),
    ApiOkResponse({ type: StockLockDoc, description: 'a replay of an earlier lock of the same orderSn: its outcome' }),
    ApiErrors('INVENTORY.INSUFFICIENT_STOCK', 'INVENTORY.SKU_NOT_FOUND', 'INVENTORY.LOCK_CONFLICT', 'INVENTORY.PRICE_CHANGED'),
  );
  document('get', ApiOkResponse({ type: StockLockDoc }), ApiErrors('INVENTORY.LOCK_NOT_FOUND'));
  document(
    'release',
    ApiOkResponse({ type: StockLockDoc, description: 'the locks, LOCKED ones now RELEASED' }),
    ApiErrors('INVENTORY.LOCK_NOT_FOUND'),
  );
}
