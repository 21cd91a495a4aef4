import { Injectable } from '@nestjs/common';
import { AUTHORIZATION_COMPLETED, AUTHORIZATION_REFUSED, AuthorizationCompletedEvent, AuthorizationRefusedEvent } from '@connector/contracts';
import { EventContext, OnEvent } from '@connector/messaging';
import { AuditService } from '../access/audit.service';
import { API_V1 } from '../common/api-version';

export const CALLBACK_PATH = `/${API_V1}/authorizations/callback`;
/** The audit's key name for a callback no consent of this connector is known for (anyone may call it). */
export const UNKNOWN_CALLER = 'Link with Amazon callback (no consent of this connector)';

/**
 * The audit entry of a link, from order-ingestion's event rather than the callback's answer: a
 * callback that timed out in the gateway (or a gateway restarted meanwhile) still leaves the link
 * audited, once (with the event's processed record), under the key that asked for the consent URL.
 */
@Injectable()
export class AuthorizationEventsHandler {
  constructor(private readonly audit: AuditService) {}

  @OnEvent(AUTHORIZATION_COMPLETED)
  async onAuthorizationCompleted(event: AuthorizationCompletedEvent, { manager }: EventContext): Promise<void> {
    await this.audit.record(
      { keyId: event.requestedByKeyId, name: event.requestedByKeyName, scopes: [], accountIds: null },
      {
        method: 'GET',
        path: CALLBACK_PATH,
        action: `GET ${CALLBACK_PATH}`,
        body: { authorizationId: event.authorizationId, sellingPartnerId: event.sellingPartnerId, accountId: event.accountId, created: event.created, completedAt: event.completedAt },
      },
      200,
      manager,
    );
  }

  /** A refused callback, like a link: under the key that asked for the consent URL, when the state named one of ours. */
  @OnEvent(AUTHORIZATION_REFUSED)
  async onAuthorizationRefused(event: AuthorizationRefusedEvent, { manager }: EventContext): Promise<void> {
    await this.audit.record(
      { keyId: event.requestedByKeyId, name: event.requestedByKeyName ?? UNKNOWN_CALLER, scopes: [], accountIds: null },
      {
        method: 'GET',
        path: CALLBACK_PATH,
        action: `GET ${CALLBACK_PATH}`,
        body: { authorizationId: event.authorizationId, sellingPartnerId: event.sellingPartnerId, refused: event.reason, refusedAt: event.refusedAt },
      },
      event.statusCode,
      manager,
    );
  }
}
