export interface AddressResponseDto {
  id: number;
  receiver: string;
  phone: string;
  region: string;
  detail: string;
  isDefault: boolean;
  createdAt: string;
}

export interface AddressRecord {
  id: number;
  userId: number;
  receiver: string;
  phone: string;
  region: string;
  detail: string;
  isDefault: boolean;
  createdAt: Date;
}

export function toAddressResponse(a: AddressRecord): AddressResponseDto {
  return {
    id: a.id,
    receiver: a.receiver,
    phone: a.phone,
    region: a.region,
    detail: a.detail,
    isDefault: a.isDefault,
    createdAt: a.createdAt.toISOString(),
  };
}
