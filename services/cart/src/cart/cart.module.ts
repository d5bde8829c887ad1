import { Module } from '@nestjs/common';
import { InventoryClient } from '../infrastructure/inventory.client';
import { CartController, InternalCartController } from './cart.controller';
import { CartRepository } from './cart.repository';
import { CartService } from './cart.service';
import { OrderCreatedConsumer } from './order-created.consumer';

@Module({
  controllers: [CartController, InternalCartController],
  providers: [CartService, CartRepository, InventoryClient, OrderCreatedConsumer],
})
export class CartModule {}
