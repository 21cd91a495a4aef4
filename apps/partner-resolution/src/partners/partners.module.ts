import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Contact } from './contact.entity';
import { DeliveryAddress } from './delivery-address.entity';
import { EmailIndexBackfill } from './email-index-backfill';
import { PartnersController } from './partners.controller';
import { PartnersService } from './partners.service';
import { PersonalDataBox } from './personal-data-box';
import { PersonalDataSealing } from './personal-data-sealing';

@Module({
  imports: [TypeOrmModule.forFeature([Contact, DeliveryAddress])],
  controllers: [PartnersController],
  providers: [PartnersService, PersonalDataBox, PersonalDataSealing, EmailIndexBackfill],
  exports: [PartnersService, PersonalDataBox],
})
export class PartnersModule {}
