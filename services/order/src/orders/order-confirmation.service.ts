import { Injectable } from '@nestjs/common';
import { OrderLine, priceLines, ValidationFailedError } from '@shop/shared';
import { ServiceClients } from '../clients/service-clients';
import { OrderSnGenerator } from '../infrastructure/order-sn.generator';
import { OrderTokenStore } from '../order-tokens/order-token.store';
import { EmptyOrderError } from './order.errors';
import { ConfirmResponseDto, toConfirmAddress } from './confirm-response';
import { MAX_ORDER_ITEMS } from './dto/order.dto';

/** The confirm page: current prices, the buyer's addresses, and a one-shot order token. */
@Injectable()
export class OrderConfirmationService {
  constructor(
    private readonly clients: ServiceClients,
    private readonly tokens: OrderTokenStore,
    private readonly ids: OrderSnGenerator,
  ) {}

  async confirm(userId: number, buyNow: { skuId?: number; quantity?: number }): Promise<ConfirmResponseDto> {
    const lines = await this.linesFor(userId, buyNow);
    const [catalog, addresses] = await Promise.all([this.clients.skus(lines.map((l) => l.skuId)), this.clients.addresses(userId)]);
    const { items, totalAmount } = priceLines(lines, catalog);
    const orderToken = await this.ids.next();
    await this.tokens.issue(userId, orderToken);
    return { orderToken, items, totalAmount, addresses: addresses.map(toConfirmAddress) };
  }

  private async linesFor(userId: number, buyNow: { skuId?: number; quantity?: number }): Promise<OrderLine[]> {
    if (buyNow.skuId !== undefined || buyNow.quantity !== undefined) {
      if (buyNow.skuId === undefined || buyNow.quantity === undefined) {
        throw new ValidationFailedError('Buy-now needs both skuId and quantity');
      }
      return [{ skuId: buyNow.skuId, quantity: buyNow.quantity }];
    }
    const lines = await this.clients.checkedCartItems(userId);
    if (lines.length === 0) {
      throw new EmptyOrderError();
    }
    if (lines.length > MAX_ORDER_ITEMS) {
      throw new ValidationFailedError(`An order holds at most ${MAX_ORDER_ITEMS} items`);
    }
    return lines;
  }
}
