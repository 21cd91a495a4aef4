import { IsEnum, IsIn, IsISO8601, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { eventContract } from '../common/message-contract';
import { SERVICE_NAMES } from '../health/health.messages';

/**
 * What an alert is about. Each fires once per cause: per quarantined order, parked event or
 * failed notification; once per episode for refused credentials, a stalled sync or a service
 * that does not answer (and `<kind>.resolved` when that episode ends).
 */
export enum AlertKind {
  CredentialsRefused = 'account.credentials_refused',
  SyncStalled = 'account.sync_stalled',
  OrderQuarantined = 'order.quarantined',
  NotificationFailed = 'notification.failed',
  EventParked = 'event.parked',
  ServiceNotReady = 'service.not_ready',
  /** Only ever sent by `POST /alert-webhooks/:id/test`. */
  Test = 'test',
}
export const ALERT_KINDS = Object.values(AlertKind);
/** Kinds whose cause is an episode: its end is told by the same kind with `resolved: true`. */
export const EPISODE_ALERT_KINDS: AlertKind[] = [AlertKind.CredentialsRefused, AlertKind.SyncStalled, AlertKind.ServiceNotReady];

/**
 * Something a person should look at, raised by the service that saw it (in the transaction of
 * its cause where there is one) for the gateway, which sends it to the webhooks that asked for
 * it. Never buyer personal data or a secret: ids, and reason texts that hold neither.
 */
export class AlertRaisedEvent {
  /** Unique per alert: receivers dedupe by it (X-Connector-Alert-Id). */
  @IsUUID() alertId: string;
  @IsEnum(AlertKind) kind: AlertKind;
  /** True when the episode of an episode kind ended (the account syncs again, the service answers). */
  @IsOptional() @IsIn([true, false]) resolved?: boolean;
  @IsISO8601() occurredAt: string;
  @IsIn([...SERVICE_NAMES, 'gateway']) service: string;
  @IsOptional() @IsUUID() accountId?: string;
  @IsOptional() @IsString() @MaxLength(100) amazonOrderId?: string;
  @IsString() @MaxLength(1000) summary: string;
  /** Ids and reasons of the cause (say `{ eventId, subject, reason }`): no personal data. */
  @IsObject() details: Record<string, unknown>;
}
export const ALERT_RAISED = eventContract({ subject: 'alert.raised.v1', version: 1, payload: AlertRaisedEvent });
