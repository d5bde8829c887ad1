import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors, InternalOnly, PositiveIntPipe, Public } from '@shop/shared/nest';
import { CreateSkuDto, ListSkusQueryDto, UpdateSkuDto } from './dto/sku.dto';
import { AdminSkuResponseDto, PublicSkuResponseDto, toAdminSku, toPublicSku } from './sku-response';
import { SkusService } from './skus.service';

@ApiTags('catalog')
@Public()
@Controller('skus')
export class SkusController {
  constructor(private readonly skus: SkusService) {}

  @Get()
  @ApiOkResponse({ type: [PublicSkuResponseDto], description: 'the SKUs asked for that exist (unknown ids are left out)' })
  async list(@Query() query: ListSkusQueryDto): Promise<PublicSkuResponseDto[]> {
    const ids = query.ids ? query.ids.split(',').map(Number) : null;
    return (await this.skus.list(ids)).map(toPublicSku);
  }

  @Get(':id')
  @ApiOkResponse({ type: PublicSkuResponseDto })
  @ApiErrors('INVENTORY.SKU_NOT_FOUND')
  async get(@Param('id', PositiveIntPipe) id: number): Promise<PublicSkuResponseDto> {
    return toPublicSku(await this.skus.get(id));
  }
}

@ApiTags('admin')
@InternalOnly()
@Controller('admin/skus')
export class AdminSkusController {
  constructor(private readonly skus: SkusService) {}

  @Post()
  @ApiCreatedResponse({ type: AdminSkuResponseDto })
  async create(@Body() dto: CreateSkuDto): Promise<AdminSkuResponseDto> {
    return toAdminSku(await this.skus.create(dto));
  }

  @Get(':id')
  @ApiOkResponse({ type: AdminSkuResponseDto })
  @ApiErrors('INVENTORY.SKU_NOT_FOUND')
  async get(@Param('id', PositiveIntPipe) id: number): Promise<AdminSkuResponseDto> {
    return toAdminSku(await this.skus.get(id));
  }

  @Patch(':id')
  @ApiOkResponse({ type: AdminSkuResponseDto })
  @ApiErrors('INVENTORY.SKU_NOT_FOUND', 'INVENTORY.STOCK_BELOW_LOCKED', 'INVENTORY.STOCK_LIMIT')
  async update(@Param('id', PositiveIntPipe) id: number, @Body() dto: UpdateSkuDto): Promise<AdminSkuResponseDto> {
    return toAdminSku(await this.skus.update(id, dto));
  }
}
