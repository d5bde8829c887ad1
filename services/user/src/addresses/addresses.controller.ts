import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, InternalOnly, PositiveIntPipe, Session } from '@shop/shared/nest';
import { AddressResponseDto, InternalAddressResponseDto, toAddressResponse } from './address-response';
import { AddressesService } from './addresses.service';
import { CreateAddressDto } from './dto/create-address.dto';

@ApiTags('addresses')
@Controller('users/me/addresses')
export class AddressesController {
  constructor(private readonly addresses: AddressesService) {}

  @Get()
  @ApiOkResponse({ type: [AddressResponseDto], description: "the caller's addresses" })
  async list(@CurrentUser() s: Session): Promise<AddressResponseDto[]> {
    return (await this.addresses.list(s.userId)).map(toAddressResponse);
  }

  /** VALIDATION.FAILED also for a user who already has the most addresses allowed. */
  @Post()
  @ApiCreatedResponse({ type: AddressResponseDto })
  async create(@CurrentUser() s: Session, @Body() dto: CreateAddressDto): Promise<AddressResponseDto> {
    return toAddressResponse(await this.addresses.create(s.userId, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted' })
  @ApiErrors('USER.ADDRESS_NOT_FOUND')
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
  @ApiOkResponse({ type: [AddressResponseDto] })
  async list(@Param('userId', PositiveIntPipe) userId: number): Promise<AddressResponseDto[]> {
    return (await this.addresses.list(userId)).map(toAddressResponse);
  }

  @Get(':addressId')
  @ApiOkResponse({ type: InternalAddressResponseDto })
  @ApiErrors('USER.ADDRESS_NOT_FOUND')
  async get(
    @Param('userId', PositiveIntPipe) userId: number,
    @Param('addressId', PositiveIntPipe) addressId: number,
  ): Promise<InternalAddressResponseDto> {
    return { ...toAddressResponse(await this.addresses.get(userId, addressId)), userId };
  }
}
