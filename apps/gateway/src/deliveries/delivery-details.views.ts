import { ApiExtraModels } from '@nestjs/swagger';
import { DeliveryAddressView, DeliveryView } from '@connector/contracts';
import { Part } from '../common/parts';
import { part } from '../orders/order-details.views';

/**
 * GET /api/v1/deliveries/:id: the delivery with the address it goes to (from partner-resolution,
 * as order details show it). After personal-data retention the address is anonymized there, and
 * so here; null when partner-resolution does not know it, "unavailable" when it does not answer.
 */
@ApiExtraModels(DeliveryAddressView)
export class DeliveryDetailsView extends DeliveryView {
  @part(DeliveryAddressView, 'The full shipping address of the delivery.')
  deliveryAddress: Part<DeliveryAddressView | null>;
}
