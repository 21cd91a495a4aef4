export enum FulfillmentChannel {
  FBA = 'FBA',
  FBM = 'FBM',
}

export enum OrdersApiVersion {
  V2026 = 'v2026-01-01',
  V0 = 'v0',
}

export enum Region {
  NA = 'NA',
  EU = 'EU',
  FE = 'FE',
}

/** Our state of a sales order (Amazon's raw status is kept beside it). */
export enum SalesOrderStatus {
  Confirmed = 'confirmed',
  PartiallyShipped = 'partially_shipped',
  Shipped = 'shipped',
  Canceled = 'canceled',
}

export enum SalesOrderLineKind {
  Product = 'product',
  Shipping = 'shipping',
  GiftWrap = 'gift_wrap',
  /** Anything else the buyer paid: a cash-on-delivery fee, other charges, a delivery tip. */
  Charge = 'charge',
}

export enum DeliveryState {
  Ready = 'ready',
  Done = 'done',
  Canceled = 'canceled',
}

export enum StockMoveState {
  Ready = 'ready',
  Done = 'done',
  Canceled = 'canceled',
}

export enum NotificationKind {
  ShipmentConfirmation = 'shipment_confirmation',
  Cancellation = 'cancellation',
  /** Some units of an item cancelled (Amazon's order adjustment feed). */
  UnitCancellation = 'unit_cancellation',
}

export enum NotificationState {
  Pending = 'pending',
  Sent = 'sent',
  Failed = 'failed',
}

/** Amazon's CancelReason values for an OrderAcknowledgement (seller-side cancellation). */
export enum CancelReason {
  NoInventory = 'NoInventory',
  ShippingAddressUndeliverable = 'ShippingAddressUndeliverable',
  CustomerExchange = 'CustomerExchange',
  BuyerCanceled = 'BuyerCanceled',
  GeneralAdjustment = 'GeneralAdjustment',
  CarrierCreditDecision = 'CarrierCreditDecision',
  RiskAssessmentInformationNotValid = 'RiskAssessmentInformationNotValid',
  CarrierCoverageFailure = 'CarrierCoverageFailure',
  CustomerReturn = 'CustomerReturn',
  MerchandiseNotReceived = 'MerchandiseNotReceived',
  CannotVerifyInformation = 'CannotVerifyInformation',
  PricingError = 'PricingError',
  RejectOrder = 'RejectOrder',
  WeatherDelay = 'WeatherDelay',
}
