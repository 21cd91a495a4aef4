import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Contact } from './contact.entity';
import { DeliveryAddress } from './delivery-address.entity';
import { PartnersController } from './partners.controller';
import { PartnersService } from './partners.service';

@Module({
  imports: [TypeOrmModule.forFeature([Contact, DeliveryAddress])],
  controllers: [PartnersController],
  providers: [PartnersService],
})
export class PartnersModule {}
