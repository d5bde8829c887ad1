import { Module } from '@nestjs/common';
import { InventoryClient } from '../infrastructure/inventory.client';
import { CartController, InternalCartController } from './cart.controller';
import { CartRepository } from './cart.repository';
import { CartService } from './cart.service';

@Module({ controllers: [CartController, InternalCartController], providers: [CartService, CartRepository, InventoryClient] })
export class CartModule {}
