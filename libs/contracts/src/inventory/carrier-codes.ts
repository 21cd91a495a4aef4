/**
 * Amazon's CarrierCode values for confirmShipment (Orders API v0 `PackageDetail.carrierCode`,
 * the same list as the fulfilment feeds' CarrierCode). The SDK types the field as a plain
 * string, so the list lives here, once. A carrier not on it is sent as `Other` with its name
 * in `carrierName`.
 */
export const AMAZON_CARRIER_CODES = [
  '4PX', 'A-1', 'AAA Cooper', 'ABF', 'AFL/Fedex', 'ALLIED EXPRESS', 'AMAZON_FR', 'AMAZON_IN', 'ARAS Kargo',
  'ARCO SPEDIZIONI', 'ARK Logistics', 'AT POST', 'ATS', 'AUSPost', 'Amazon Shipping', 'Amzl', 'An Post', 'Aramex',
  'Arrow XL', 'Asendia', 'Australia Post', 'BJS', 'BRT', 'Bartolini', 'Blue Package', 'BlueDart', 'Bluecare Express',
  'Bombino Express', 'Bpost', 'CELERITAS', 'CEVA', 'CJ Logistics', 'CNE', 'CTTExpress', 'Canada Post', 'Canpar',
  'China Post', 'Chrono Express', 'Chronopost', 'City Link', 'Colis Prive', 'Colissimo', 'Correios', 'Correos',
  'Correos Express', 'Couriers Please', 'DB Schenker', 'DHL', 'DHL eCommerce', 'DHL Freight', 'DHL Global Mail',
  'DHL Home Delivery', 'DHL Kargo', 'DHL-Paket', 'DHLPL', 'DPD', 'DPD Local', 'DSV', 'DTDC', 'Delhivery',
  'Deliver-iT', 'Deutsche Post', 'Direct Freight', 'Dotzot', 'ECMS', 'EMS', 'EUB', 'Ecom Express', 'Endopack',
  'Estafeta', 'Estes', 'Evri', 'Fastway', 'FedEx', 'FedEx Freight', 'Fedex Freight', 'FedEx SmartPost', 'First Flight',
  'First Mile', 'GEL Express', 'GLS', 'GO!', 'Gati', 'Geodis', 'Hermes', 'Hermes Einrichtungsservice',
  'Hermes Logistik Gruppe', 'Hongkong Post', 'India Post', 'InPost', 'Interlink', 'JCEX', 'JP_EXPRESS', 'Japan Post',
  'La Poste', 'Landmark Global', 'Lasership', 'MRW', 'NITTSU', 'Nacex', 'Newgistics', 'Ninja Van', 'NipponExpress',
  'OSM', 'OnTrac', 'Overnite Express', 'Parcel2Go', 'Parcelforce', 'Parcelnet', 'Pilot Freight', 'PostNL', 'PostNord',
  'Poste Italiane', 'Professional', 'Purolator', 'Qxpress', 'Rhenus', 'Rivigo', 'Roadrunner', 'Royal Mail', 'SAGAWA',
  'SDA', 'SEUR', 'SF Express', 'Safexpress', 'SagawaExpress', 'Saia', 'Seino', 'Ship Delight', 'Smartmail', 'Spee-Dee',
  'Startrack', 'Streamlite', 'TNT', 'Target', 'Tipsa', 'Toll', 'Toll Global Express', 'Trackon', 'UPS', 'UPS Freight',
  'UPS Mail Innovations', 'UPSMI', 'USPS', 'Urban Express', 'VIR', 'Whistl', 'XDP', 'XPO Freight', 'YAMATO',
  'Yamato Transport', 'YamatoTransport', 'Yanwen', 'Yodel', 'Yun Express', 'Zeleris', 'Other',
] as const;

export type AmazonCarrierCode = (typeof AMAZON_CARRIER_CODES)[number];

/** Amazon's code for a carrier not on its list: the carrier's name goes in `carrierName`. */
export const OTHER_CARRIER_CODE = 'Other';
