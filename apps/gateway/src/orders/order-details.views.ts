import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { DeliveryAddressView, DeliveryView, NotificationView, PartnerView, SalesOrderView } from '@connector/contracts';
import { Part, UNAVAILABLE } from '../common/parts';

export { UNAVAILABLE };
export type { Part };

export const UNAVAILABLE_SCHEMA = { type: 'string', enum: [UNAVAILABLE], description: 'its service did not answer' };
/** A part as OpenAPI says it: the view, null when there is none, or "unavailable". */
export const part = (view: Function, description: string) =>
  ApiProperty({ description, nullable: true, oneOf: [{ $ref: getSchemaPath(view) }, UNAVAILABLE_SCHEMA] });
const parts = (view: Function, description: string) =>
  ApiProperty({ description, oneOf: [{ type: 'array', items: { $ref: getSchemaPath(view) } }, UNAVAILABLE_SCHEMA] });

/**
 * GET /api/v1/orders/:id: the sales order with what other services know of it. Only the order
 * itself is required; a missing part is null, a part whose service fails is "unavailable".
 */
@ApiExtraModels(PartnerView, DeliveryAddressView, DeliveryView, NotificationView)
export class OrderDetailsView extends SalesOrderView {
  @part(PartnerView, 'The buyer (contact).')
  contact: Part<PartnerView | null>;
  @part(DeliveryAddressView, 'Where the order goes.')
  deliveryAddress: Part<DeliveryAddressView | null>;
  @part(DeliveryView, 'The order\'s delivery (the first one; a partial shipment leaves backorders in `deliveries`).')
  delivery: Part<DeliveryView | null>;
  @parts(DeliveryView, 'Every delivery of the order.')
  deliveries: Part<DeliveryView[]>;
  @parts(NotificationView, 'What was told to Amazon about the order.')
  notifications: Part<NotificationView[]>;
}
