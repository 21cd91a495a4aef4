import { counter } from '@connector/platform';

/**
 * Validated deliveries by how their carrier was found. Many `other` means carriers Amazon
 * shows only by name (no tracking link for the buyer): a carrier mapping may be missing.
 */
export const carriersResolved = counter({
  name: 'connector_delivery_carriers_resolved_total',
  help: 'Validated deliveries by how the carrier was found: code (Amazon code given), account-mapping (the name mapped for the delivery\'s account), mapping (the seller\'s carrier name mapped globally), amazon-code (the name is an Amazon code), other (sent as Other with its name)',
  labelNames: ['resolved_by'],
});
