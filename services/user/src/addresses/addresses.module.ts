import { Module } from '@nestjs/common';
import { AddressesController, InternalAddressesController } from './addresses.controller';
import { AddressesService } from './addresses.service';
import { AddressRepository } from './address.repository';

@Module({
  controllers: [AddressesController, InternalAddressesController],
  providers: [AddressesService, AddressRepository],
})
export class AddressesModule {}
