import { Inject, Injectable } from '@nestjs/common';
import { InternalClient, PLATFORM_CONFIG } from '@shop/shared/nest';
import { CartEnv } from '../config/cart-env';

export interface CatalogSku {
  id: number;
  title: string;
  price: number;
  available: number;
}

/** The inventory service's public catalog reads. */
@Injectable()
export class InventoryClient {
  private readonly http: InternalClient;

  constructor(@Inject(PLATFORM_CONFIG) config: CartEnv) {
    this.http = new InternalClient('inventory', config.INVENTORY_SERVICE_URL, config.INTERNAL_TOKEN);
  }

  /** Throws INVENTORY.SKU_NOT_FOUND (passed through from inventory) for an unknown SKU. */
  getSku(id: number): Promise<CatalogSku> {
    return this.http.call<CatalogSku>(`/skus/${id}`, { internal: false });
  }

  /** One request for the whole cart; unknown ids are simply absent from the map. */
  async getSkus(ids: number[]): Promise<Map<number, CatalogSku>> {
    if (ids.length === 0) {
      return new Map();
    }
    const skus = await this.http.call<CatalogSku[]>(`/skus?ids=${ids.join(',')}`, { internal: false });
    return new Map(skus.map((s) => [s.id, s]));
  }
}
