import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ShipFromAssignment } from './ship-from-assignment.entity';
import { ShipFromController } from './ship-from.controller';
import { ShipFromService } from './ship-from.service';

/** Several FBM warehouses: which stock location each account and marketplace ships from. */
@Module({
  imports: [TypeOrmModule.forFeature([ShipFromAssignment])],
  controllers: [ShipFromController],
  providers: [ShipFromService],
  exports: [ShipFromService],
})
export class ShipFromModule {}
