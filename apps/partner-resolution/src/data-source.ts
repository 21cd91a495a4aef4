import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '@connector/messaging';
import { DatabaseSettings, serviceDataSourceOptions } from '@connector/persistence';
import { InitialSchema1764300000200 } from './migrations/1764300000200-initial-schema';
import { OrderPartners1764300000201 } from './migrations/1764300000201-order-partners';
import { AnonymizedMatchKeys1764300000202 } from './migrations/1764300000202-anonymized-match-keys';
import { SealedPersonalData1764300000203 } from './migrations/1764300000203-sealed-personal-data';
import { ContactEmailIndex1766000000520 } from './migrations/1766000000520-contact-email-index';
import { ContactsWithoutEmailIndex1766000000540 } from './migrations/1766000000540-contacts-without-email-index';
import { Contact } from './partners/contact.entity';
import { DeliveryAddress } from './partners/delivery-address.entity';
import { OrderPartner } from './retention/order-partner.entity';

export const PARTNERS_SCHEMA = 'partners';

export const partnersDataSource = (database: string | DatabaseSettings) =>
  serviceDataSourceOptions({
    database,
    schema: PARTNERS_SCHEMA,
    entities: [Contact, DeliveryAddress, OrderPartner, ...MESSAGING_ENTITIES],
    migrations: [InitialSchema1764300000200, OrderPartners1764300000201, AnonymizedMatchKeys1764300000202, SealedPersonalData1764300000203, ContactEmailIndex1766000000520, ContactsWithoutEmailIndex1766000000540, ...MESSAGING_MIGRATIONS],
  });
