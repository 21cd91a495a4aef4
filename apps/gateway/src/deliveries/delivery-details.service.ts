import { Injectable } from '@nestjs/common';
import { GET_DELIVERY, GET_PARTNER } from '@connector/contracts';
import { ServiceClient } from '@connector/platform';
import { settlePart, UNAVAILABLE } from '../common/parts';
import { DeliveryDetailsView } from './delivery-details.views';

/** Deadline for the address: a silent partner-resolution must not hold the delivery long. */
const PART_TIMEOUT_MS = 3000;

/** A delivery (inventory) with its shipping address (partner-resolution): what the warehouse packs and labels. */
@Injectable()
export class DeliveryDetailsService {
  constructor(private readonly services: ServiceClient) {}

  async get(id: string): Promise<DeliveryDetailsView> {
    const delivery = await this.services.request(GET_DELIVERY, { id });
    const contact = await settlePart(this.services.request(GET_PARTNER, { id: delivery.contactId }, PART_TIMEOUT_MS));
    return {
      ...delivery,
      deliveryAddress: contact === null || contact === UNAVAILABLE ? contact : (contact.deliveryAddresses?.find((address) => address.id === delivery.deliveryAddressId) ?? null),
    };
  }
}
