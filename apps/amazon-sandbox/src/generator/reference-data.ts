/** Pools the generator draws from. Fictional people and streets; real city/postcode shapes. */

export interface CountryData {
  firstNames: string[];
  lastNames: string[];
  streets: string[];
  /** [city, stateOrRegion, postal code pattern: # = digit, @ = letter] */
  cities: [string, string, string][];
  phonePrefix: string;
  companySuffixes: string[];
  carriers: { code: string; name: string; service: string }[];
  /** Street number comes after the street name (most of Europe) or before it (UK, NA). */
  numberAfterStreet: boolean;
}

const EU_CARRIERS = [
  { code: 'DHL', name: 'DHL', service: 'DHL Paket' },
  { code: 'DPD', name: 'DPD', service: 'DPD Classic' },
  { code: 'UPS', name: 'UPS', service: 'UPS Standard' },
  { code: 'GLS', name: 'GLS', service: 'GLS BusinessParcel' },
];

export const COUNTRY_DATA: Record<string, CountryData> = {
  DE: {
    firstNames: ['Anna', 'Lukas', 'Sophie', 'Jonas', 'Marie', 'Felix', 'Lea', 'Paul', 'Hannah', 'Maximilian', 'Emma', 'Tobias'],
    lastNames: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Schäfer', 'Koch', 'Richter'],
    streets: ['Hauptstraße', 'Bahnhofstraße', 'Gartenweg', 'Lindenallee', 'Schillerstraße', 'Goethestraße', 'Am Markt', 'Bergstraße'],
    cities: [['Berlin', 'Berlin', '10###'], ['München', 'Bayern', '80###'], ['Hamburg', 'Hamburg', '20###'], ['Köln', 'Nordrhein-Westfalen', '50###'], ['Leipzig', 'Sachsen', '04###'], ['Stuttgart', 'Baden-Württemberg', '70###']],
    phonePrefix: '+49 ',
    companySuffixes: ['GmbH', 'AG', 'KG', 'UG'],
    carriers: EU_CARRIERS,
    numberAfterStreet: true,
  },
  FR: {
    firstNames: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Manon', 'Lucas', 'Inès', 'Jules', 'Léa', 'Arthur'],
    lastNames: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau'],
    streets: ['rue de la République', 'avenue Victor Hugo', 'rue Pasteur', 'boulevard Voltaire', 'rue des Lilas', 'place de la Mairie'],
    cities: [['Paris', 'Île-de-France', '750##'], ['Lyon', 'Auvergne-Rhône-Alpes', '6900#'], ['Marseille', "Provence-Alpes-Côte d'Azur", '1300#'], ['Toulouse', 'Occitanie', '3100#'], ['Nantes', 'Pays de la Loire', '4400#']],
    phonePrefix: '+33 ',
    companySuffixes: ['SARL', 'SAS', 'SA'],
    carriers: [{ code: 'Colissimo', name: 'Colissimo', service: 'Colissimo Expert' }, { code: 'Chronopost', name: 'Chronopost', service: 'Chrono 13' }, ...EU_CARRIERS.slice(0, 2)],
    numberAfterStreet: false,
  },
  ES: {
    firstNames: ['Lucía', 'Hugo', 'Martina', 'Daniel', 'Sofía', 'Pablo', 'Carmen', 'Alejandro', 'Paula', 'Javier'],
    lastNames: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Ruiz'],
    streets: ['Calle Mayor', 'Calle de Alcalá', 'Avenida de la Constitución', 'Calle Real', 'Paseo de Gracia', 'Calle del Sol'],
    cities: [['Madrid', 'Madrid', '280##'], ['Barcelona', 'Barcelona', '080##'], ['Valencia', 'Valencia', '460##'], ['Sevilla', 'Sevilla', '410##'], ['Bilbao', 'Bizkaia', '480##']],
    phonePrefix: '+34 ',
    companySuffixes: ['S.L.', 'S.A.'],
    carriers: [{ code: 'Correos', name: 'Correos', service: 'Paq Estándar' }, { code: 'SEUR', name: 'SEUR', service: 'SEUR 24' }, ...EU_CARRIERS.slice(0, 2)],
    numberAfterStreet: true,
  },
  IT: {
    firstNames: ['Giulia', 'Francesco', 'Sofia', 'Alessandro', 'Aurora', 'Lorenzo', 'Martina', 'Matteo', 'Chiara', 'Andrea'],
    lastNames: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco'],
    streets: ['Via Roma', 'Via Garibaldi', 'Corso Italia', 'Via Dante', 'Piazza del Duomo', 'Via Mazzini'],
    cities: [['Roma', 'RM', '001##'], ['Milano', 'MI', '201##'], ['Napoli', 'NA', '801##'], ['Torino', 'TO', '101##'], ['Bologna', 'BO', '401##']],
    phonePrefix: '+39 ',
    companySuffixes: ['S.r.l.', 'S.p.A.'],
    carriers: [{ code: 'BRT', name: 'BRT', service: 'BRT Express' }, { code: 'Poste Italiane', name: 'Poste Italiane', service: 'Crono' }, ...EU_CARRIERS.slice(0, 2)],
    numberAfterStreet: true,
  },
  NL: {
    firstNames: ['Emma', 'Daan', 'Julia', 'Sem', 'Mila', 'Lucas', 'Tess', 'Finn', 'Sara', 'Levi'],
    lastNames: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'van Dijk', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer'],
    streets: ['Dorpsstraat', 'Kerkstraat', 'Schoolstraat', 'Molenweg', 'Stationsweg', 'Julianalaan'],
    cities: [['Amsterdam', 'Noord-Holland', '10## @@'], ['Rotterdam', 'Zuid-Holland', '30## @@'], ['Utrecht', 'Utrecht', '35## @@'], ['Eindhoven', 'Noord-Brabant', '56## @@']],
    phonePrefix: '+31 ',
    companySuffixes: ['B.V.', 'N.V.'],
    carriers: [{ code: 'PostNL', name: 'PostNL', service: 'PostNL Standaard' }, ...EU_CARRIERS.slice(0, 2)],
    numberAfterStreet: true,
  },
  GB: {
    firstNames: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Mia', 'Charlie', 'Grace'],
    lastNames: ['Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Evans', 'Thomas'],
    streets: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Green Lane', 'Manor Road'],
    cities: [['London', 'Greater London', 'SW# #@@'], ['Manchester', 'Greater Manchester', 'M# #@@'], ['Birmingham', 'West Midlands', 'B## #@@'], ['Leeds', 'West Yorkshire', 'LS# #@@'], ['Bristol', 'Bristol', 'BS# #@@']],
    phonePrefix: '+44 ',
    companySuffixes: ['Ltd', 'LLP', 'PLC'],
    carriers: [{ code: 'Royal Mail', name: 'Royal Mail', service: 'Royal Mail Tracked 48' }, { code: 'Evri', name: 'Evri', service: 'Evri Standard' }, { code: 'DPD', name: 'DPD', service: 'DPD Next Day' }],
    numberAfterStreet: false,
  },
  US: {
    firstNames: ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth'],
    lastNames: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Garcia', 'Rodriguez', 'Martinez'],
    streets: ['Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Park Blvd', 'Washington St', 'Elm St'],
    cities: [['Seattle', 'WA', '981##'], ['Austin', 'TX', '787##'], ['Denver', 'CO', '802##'], ['Columbus', 'OH', '432##'], ['Portland', 'OR', '972##'], ['Atlanta', 'GA', '303##']],
    phonePrefix: '+1 ',
    companySuffixes: ['Inc.', 'LLC', 'Corp.'],
    carriers: [{ code: 'UPS', name: 'UPS', service: 'UPS Ground' }, { code: 'USPS', name: 'USPS', service: 'USPS Priority Mail' }, { code: 'FedEx', name: 'FedEx', service: 'FedEx Ground' }],
    numberAfterStreet: false,
  },
  CA: {
    firstNames: ['Liam', 'Olivia', 'Noah', 'Emma', 'William', 'Charlotte', 'Benjamin', 'Chloé', 'Ethan', 'Léa'],
    lastNames: ['Smith', 'Tremblay', 'Martin', 'Roy', 'Wilson', 'MacDonald', 'Gagnon', 'Johnson', 'Taylor', 'Côté'],
    streets: ['King St W', 'Queen St E', 'Yonge St', 'Rue Sainte-Catherine', 'Granville St', 'Jasper Ave'],
    cities: [['Toronto', 'ON', 'M#@ #@#'], ['Montréal', 'QC', 'H#@ #@#'], ['Vancouver', 'BC', 'V#@ #@#'], ['Calgary', 'AB', 'T#@ #@#'], ['Ottawa', 'ON', 'K#@ #@#']],
    phonePrefix: '+1 ',
    companySuffixes: ['Inc.', 'Ltd.', 'Corp.'],
    carriers: [{ code: 'Canada Post', name: 'Canada Post', service: 'Expedited Parcel' }, { code: 'Purolator', name: 'Purolator', service: 'Purolator Ground' }, { code: 'UPS', name: 'UPS', service: 'UPS Standard' }],
    numberAfterStreet: false,
  },
  MX: {
    firstNames: ['Santiago', 'Sofía', 'Mateo', 'Valentina', 'Sebastián', 'Regina', 'Diego', 'Camila', 'Emiliano', 'Ximena'],
    lastNames: ['Hernández', 'García', 'Martínez', 'López', 'González', 'Pérez', 'Rodríguez', 'Sánchez', 'Ramírez', 'Cruz'],
    streets: ['Av. Insurgentes Sur', 'Calle Madero', 'Av. Reforma', 'Calle Juárez', 'Av. Hidalgo', 'Calle Morelos'],
    cities: [['Ciudad de México', 'CDMX', '03###'], ['Guadalajara', 'Jalisco', '44###'], ['Monterrey', 'Nuevo León', '64###'], ['Puebla', 'Puebla', '72###']],
    phonePrefix: '+52 ',
    companySuffixes: ['S.A. de C.V.', 'S. de R.L.'],
    carriers: [{ code: 'Estafeta', name: 'Estafeta', service: 'Estafeta Terrestre' }, { code: 'DHL', name: 'DHL', service: 'DHL Express' }, { code: 'FedEx', name: 'FedEx', service: 'FedEx Nacional' }],
    numberAfterStreet: true,
  },
};

export const COMPANY_WORDS = ['Nordlicht', 'Atlas', 'Bluebird', 'Horizon', 'Summit', 'Keystone', 'Pioneer', 'Lumen', 'Cobalt', 'Meridian'];

export interface CatalogProduct {
  sku: string;
  title: string;
  /** Base price in euro cents; converted per currency. */
  basePriceCents: number;
  conditionType: string;
  conditionSubtype: string;
}

export const CATALOG: CatalogProduct[] = [
  ['KITCHEN-KNIFE-20', 'Chef Knife 20 cm, Stainless Steel', 3999],
  ['MUG-CERAMIC-WHT', 'Ceramic Coffee Mug 350 ml, White', 1299],
  ['LED-DESK-LAMP', 'LED Desk Lamp with USB Charging Port', 2999],
  ['YOGA-MAT-6MM', 'Yoga Mat 6 mm, Non-Slip', 2499],
  ['USB-C-CABLE-2M', 'USB-C to USB-C Cable 2 m, 100 W', 999],
  ['BT-SPEAKER-MINI', 'Portable Bluetooth Speaker, Waterproof', 3499],
  ['WATER-BOTTLE-1L', 'Insulated Water Bottle 1 L', 1999],
  ['NOTEBOOK-A5-DOT', 'A5 Dotted Notebook, Hardcover', 899],
  ['HEADPHONES-ANC', 'Over-Ear Headphones with Noise Cancelling', 8999],
  ['BACKPACK-25L', 'Daypack Backpack 25 L', 4499],
  ['PHONE-CASE-CLR', 'Clear Phone Case, Shockproof', 1199],
  ['SCREWDRIVER-SET', 'Precision Screwdriver Set, 32 Pieces', 1799],
  ['TEA-SAMPLER-12', 'Loose Leaf Tea Sampler, 12 Varieties', 2199],
  ['SOCKS-WOOL-3PK', 'Merino Wool Socks, 3 Pairs', 1899],
  ['BOARD-GAME-FAM', 'Family Board Game, 2-6 Players', 2799],
  ['PLANT-POT-CER', 'Ceramic Plant Pot 15 cm with Saucer', 1499],
  ['CHARGER-65W', '65 W USB-C Wall Charger, GaN', 3299],
  ['CUTTING-BOARD', 'Bamboo Cutting Board, Large', 2299],
  ['SUNGLASSES-POL', 'Polarized Sunglasses, UV400', 2599],
  ['PUZZLE-1000', 'Jigsaw Puzzle 1000 Pieces, Landscape', 1699],
].map(([sku, title, price], i) => ({
  sku: sku as string,
  title: title as string,
  basePriceCents: price as number,
  conditionType: i % 9 === 8 ? 'USED' : 'NEW',
  conditionSubtype: i % 9 === 8 ? 'VERY_GOOD' : 'NEW',
}));

/** Rough price level per currency relative to EUR (the generator rounds to .99 after). */
export const PRICE_FACTOR: Record<string, number> = { EUR: 1, GBP: 0.86, USD: 1.08, CAD: 1.47, MXN: 19 };

export const GIFT_MESSAGES = [
  'Happy birthday! Love, Sam',
  'Merry Christmas and a happy new year!',
  'Congratulations on your new home.',
  'Thank you for everything!',
  'Get well soon.',
  'For the best colleague ever.',
];

export const CANCEL_REASONS = ['NoInventory', 'BuyerCanceled', 'CustomerExchange', 'PricingError', 'ShippingAddressUndeliverable'];

export const PROMOTION_IDS = ['SPRING-SALE', 'PRIME-DAY-DEAL', 'BUNDLE-10OFF', 'FREE-SHIPPING-50', 'WELCOME-5', 'LIGHTNING-DEAL'];
