/** Amazon's CarrierCode values accepted by confirmShipment (a subset of the published list, plus Other). */
export const AMAZON_CARRIER_CODES = [
  'Amazon Shipping', 'Amzl', 'AUSPost', 'Blue Package', 'BRT', 'Canada Post', 'Chronopost', 'Colissimo',
  'Correos', 'DHL', 'DHL eCommerce', 'DHL Freight', 'DHL Home Delivery', 'DPD', 'Deutsche Post', 'FedEx',
  'FedEx SmartPost', 'GLS', 'Hermes', 'Hermes Logistik Gruppe', 'La Poste', 'Estafeta', 'Fedex Freight', 'OnTrac',
  'Parcelforce', 'Poste Italiane', 'PostNL', 'Purolator', 'Royal Mail', 'SDA', 'SEUR', 'TNT', 'UPS',
  'UPS Freight', 'UPS Mail Innovations', 'USPS', 'Yodel', 'Other',
] as const;
