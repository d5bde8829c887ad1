import { DynamicModule, Module } from '@nestjs/common';
import { PlatformModule } from '@shop/shared/nest';
import { CartModule } from './cart/cart.module';
import { CartEnv } from './config/cart-env';

/** The cart service keeps carts in Redis only; it has no database of its own. */
@Module({})
export class CartAppModule {
  static forRoot(config: CartEnv): DynamicModule {
    return { module: CartAppModule, imports: [PlatformModule.forRoot({ service: 'cart', config }), CartModule] };
  }
}
