export interface SkuRecord {
  id: number;
  spuId: number | null;
  title: string;
  price: number;
  stock: number;
  lockedStock: number;
}

/** What storefronts see: no raw stock figures, only what can still be bought. */
export interface PublicSkuResponseDto {
  id: number;
  spuId: number | null;
  title: string;
  price: number;
  available: number;
}

export interface AdminSkuResponseDto extends PublicSkuResponseDto {
  stock: number;
  lockedStock: number;
}

export function toPublicSku(s: SkuRecord): PublicSkuResponseDto {
  return { id: s.id, spuId: s.spuId, title: s.title, price: s.price, available: s.stock - s.lockedStock };
}

export function toAdminSku(s: SkuRecord): AdminSkuResponseDto {
  return { ...toPublicSku(s), stock: s.stock, lockedStock: s.lockedStock };
}
