import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, InternalOnly, PositiveIntPipe, Session } from '@shop/shared/nest';
import { AddressResponseDto, toAddressResponse } from './address-response';
import { AddressesService } from './addresses.service';
import { CreateAddressDto } from './dto/create-address.dto';

@ApiTags('addresses')
@ApiBearerAuth()
@Controller('users/me/addresses')
export class AddressesController {
  constructor(private readonly addresses: AddressesService) {}

  @Get()
  async list(@CurrentUser() s: Session): Promise<AddressResponseDto[]> {
    return (await this.addresses.list(s.userId)).map(toAddressResponse);
  }

  @Post()
  async create(@CurrentUser() s: Session, @Body() dto: CreateAddressDto): Promise<AddressResponseDto> {
    return toAddressResponse(await this.addresses.create(s.userId, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  delete(@CurrentUser() s: Session, @Param('id', PositiveIntPipe) id: number): Promise<void> {
    return this.addresses.delete(s.userId, id);
  }
}

/** Used by the order service to snapshot the delivery address of an order. */
@ApiTags('internal')
@InternalOnly()
@Controller('internal/users/:userId/addresses')
export class InternalAddressesController {
  constructor(private readonly addresses: AddressesService) {}

  @Get()
  async list(@Param('userId', PositiveIntPipe) userId: number): Promise<AddressResponseDto[]> {
    return (await this.addresses.list(userId)).map(toAddressResponse);
  }

  @Get(':addressId')
  async get(
    @Param('userId', PositiveIntPipe) userId: number,
    @Param('addressId', PositiveIntPipe) addressId: number,
  ): Promise<AddressResponseDto & { userId: number }> {
    return { ...toAddressResponse(await this.addresses.get(userId, addressId)), userId };
  }
}
