import { counter } from '@connector/platform';

export const skusResolved = counter({
  name: 'connector_skus_resolved_total',
  help: 'New Amazon SKUs given a product (counted once committed), by how: reference (an existing product with that internal reference), created (a new product, listed for review), default (the account default product)',
  labelNames: ['matched_by'],
});
