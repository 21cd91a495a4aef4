import { Module } from '@nestjs/common';
import { ListingQuantityPublisher } from './listing-quantity-publisher';

/** Stock to Amazon, inventory's side: announces the available quantity of each offer when it changes. */
@Module({ providers: [ListingQuantityPublisher], exports: [ListingQuantityPublisher] })
export class ListingQuantitiesModule {}
