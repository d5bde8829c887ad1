import { DomainError, ValidationFailedError } from './errors';
import type { OrderLine } from './events';
import { sumCents } from './money';

/** Amounts are INTEGER cents in every database (orders, items, payments). */
export const MAX_ORDER_TOTAL = 2_147_483_647;

/**
 * Pricing order lines at the catalog's prices: the order service's confirm and (on a refused
 * address) submit, and inventory's price check in the lock request, which is SPEC §6 step 2 for
 * the submit. One function, so every path answers a price question the same way.
 */
export interface PricedLine extends OrderLine {
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
  lines: readonly OrderLine[],
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
