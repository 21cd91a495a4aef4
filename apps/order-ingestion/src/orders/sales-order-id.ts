import { parse as parseUuid, v5 as uuidV5 } from 'uuid';

/** Namespace of sales order ids derived from (account, Amazon order id). */
const SALES_ORDER_ID_NAMESPACE = parseUuid('6c0f3f5e-5d0a-4f3e-9b7a-0c8e2b1d4a71');

/**
 * A new sales order's id follows from its account and Amazon order id, so it is known before
 * the order is written (partner-resolution records it while resolving the page) and an attempt
 * that is retried, or raced by another replica, names the order the same way.
 */
export function salesOrderId(accountId: string, amazonOrderId: string): string {
  return uuidV5(`${accountId}/${amazonOrderId}`, SALES_ORDER_ID_NAMESPACE);
}
