import * as accounts from './accounts';
import * as alerts from './alerts';
import { isMessageContract, MessageContract } from './common/message-contract';
import * as health from './health';
import * as inventory from './inventory';
import * as notifications from './notifications';
import * as orders from './orders';
import * as partners from './partners';
import { PARKED_EVENTS } from './parked-events';

/** Every message contract the connector has (found among the exports, so none is left out). */
export function messageContracts(): MessageContract[] {
  return [accounts, alerts, inventory, notifications, orders, partners, health.HEALTH_CHECKS, health.METRICS_REQUESTS, ...Object.values(PARKED_EVENTS)].flatMap((exports) =>
    Object.values(exports).filter(isMessageContract),
  );
}
