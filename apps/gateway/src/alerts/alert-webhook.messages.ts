import { Transform } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsBoolean, IsIn, IsOptional, IsUrl, IsUUID, MaxLength } from 'class-validator';
import { ALERT_KINDS, AlertKind, PageQuery } from '@connector/contracts';

/** Kinds a webhook may ask for: every kind but `test`, which goes to a webhook only when asked (POST .../test). */
export const SUBSCRIBABLE_KINDS = ALERT_KINDS.filter((kind) => kind !== AlertKind.Test);

export class CreateAlertWebhookRequest {
  /** Where alerts are POSTed: https (http outside production, or where ALERT_WEBHOOK_ALLOW_HTTP=yes). */
  @MaxLength(2000)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, require_valid_protocol: true }, { message: 'url must be an http(s) URL' })
  url: string;
  /** The alert kinds to receive. */
  @ArrayMinSize(1) @ArrayUnique() @IsIn(SUBSCRIBABLE_KINDS, { each: true, message: `each kind must be one of ${SUBSCRIBABLE_KINDS.join(', ')}` }) kinds: AlertKind[];
  /** Only alerts of these accounts (within the key's); every account the key may see when left out. */
  @IsOptional() @ArrayMinSize(1) @ArrayMaxSize(1000) @ArrayUnique() @IsUUID(undefined, { each: true }) accountIds?: string[];
  /** Global (every alert, whichever key made it): for admin keys of every account only. Default: the calling key's. */
  @IsOptional() @IsBoolean() global?: boolean;
}

export class ListAlertWebhooksRequest extends PageQuery {}

export class ListAlertDeliveriesRequest extends PageQuery {
  @IsOptional() @Transform(({ value }) => value === true || value === 'true') @IsBoolean() pendingOnly?: boolean;
}

export class AlertWebhookView {
  id: string;
  url: string;
  kinds: string[];
  accountIds: string[] | null;
  /** True: every alert; false: the alerts of its key's accounts. */
  global: boolean;
  apiKeyId: string | null;
  createdBy: string;
  createdAt: string;
}

/** Only when it is made: the HMAC secret of its signatures, never shown again. */
export class CreatedAlertWebhookView extends AlertWebhookView {
  /** Verify `X-Connector-Signature` with it (see the README, Alerts). */
  secret: string;
}

export class AlertDeliveryView {
  id: string;
  webhookId: string;
  alertId: string;
  /** The kind as sent (`<kind>.resolved` for the end of an episode). */
  kind: string;
  summary: string;
  attempts: number;
  /** The HTTP status of the last try; null if it got none (timeout, refused connection). */
  lastStatus: number | null;
  /** Coarse only: `HTTP <status>`, `timeout`, `connection refused`, `connection failed`, `tls failed`, `address not allowed`. */
  lastError: string | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  givenUpAt: string | null;
  /** Set when it was not sent because its webhook was deleted or its key revoked. */
  canceledAt: string | null;
  createdAt: string;
}

/** A test alert was queued for the webhook: its delivery shows in the log. */
export class TestAlertView {
  alertId: string;
  deliveryId: string;
}
