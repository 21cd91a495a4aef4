import { serviceDataSourceOptions } from '@connector/persistence';
import { InitialSchema1764300000200 } from './migrations/1764300000200-initial-schema';
import { Contact } from './partners/contact.entity';
import { DeliveryAddress } from './partners/delivery-address.entity';

export const PARTNERS_SCHEMA = 'partners';

export const partnersDataSource = (url: string) =>
  serviceDataSourceOptions({
    url,
    schema: PARTNERS_SCHEMA,
    entities: [Contact, DeliveryAddress],
    migrations: [InitialSchema1764300000200],
  });
