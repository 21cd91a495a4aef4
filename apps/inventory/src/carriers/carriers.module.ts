import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CarrierMapping } from './carrier-mapping.entity';
import { CarrierMappingsController } from './carrier-mappings.controller';
import { CarrierMappingsService } from './carrier-mappings.service';

/** Carrier names of the seller and the Amazon carrier codes they resolve to on a validation. */
@Module({
  imports: [TypeOrmModule.forFeature([CarrierMapping])],
  controllers: [CarrierMappingsController],
  providers: [CarrierMappingsService],
  exports: [CarrierMappingsService],
})
export class CarriersModule {}
