import { DomainError, sumCents, ValidationFailedError } from '@shop/shared';

/** Amounts are INTEGER cents in every database (orders, items, payments). */
export const MAX_ORDER_TOTAL = 2_147_483_647;

export interface Line {
  skuId: number;
  quantity: number;
}

export interface PricedLine extends Line {
  title: string;
  unitPrice: number;
  subtotal: number;
}

export class SkusNotFoundError extends DomainError {
  constructor(skuIds: number[]) {
    super('INVENTORY.SKU_NOT_FOUND', 'Some SKUs do not exist', { skuIds });
  }
}

/** Prices lines with the catalog's current prices (integer cents). Unknown SKUs → 404. */
export function priceLines(
  lines: readonly Line[],
  catalog: ReadonlyMap<number, { title: string; price: number }>,
): { items: PricedLine[]; totalAmount: number } {
  const missing = lines.filter((l) => !catalog.has(l.skuId)).map((l) => l.skuId);
  if (missing.length > 0) {
    throw new SkusNotFoundError(missing);
  }
  const items = [...lines]
    .sort((a, b) => a.skuId - b.skuId)
    .map((l) => {
      const sku = catalog.get(l.skuId)!;
      return { skuId: l.skuId, quantity: l.quantity, title: sku.title, unitPrice: sku.price, subtotal: sku.price * l.quantity };
    });
  const totalAmount = sumCents(items.map((i) => i.subtotal));
  if (totalAmount > MAX_ORDER_TOTAL) {
    throw new ValidationFailedError(`An order's total cannot exceed ${MAX_ORDER_TOTAL} cents`, { totalAmount });
  }
  return { items, totalAmount };
}
