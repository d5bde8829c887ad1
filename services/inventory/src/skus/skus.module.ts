import { Module } from '@nestjs/common';
import { AdminSkusController, SkusController } from './skus.controller';
import { SkuRepository } from './sku.repository';
import { SkusService } from './skus.service';

@Module({ controllers: [SkusController, AdminSkusController], providers: [SkusService, SkuRepository], exports: [SkuRepository] })
export class SkusModule {}
