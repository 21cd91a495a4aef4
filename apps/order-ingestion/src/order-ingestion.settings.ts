import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsPositive, IsString, Matches, Max, Min } from 'class-validator';
import { CheckedBy, credentialsKeyProblems, DEVELOPMENT_TRANSIT_KEY, IsCredentialsKey } from '@connector/platform';
import { DEVELOPMENT_SPAPI_APP } from '@connector/contracts';
import { AmazonAccessSettings } from '@connector/sp-api';
import { ConsentUrls, DEVELOPMENT_CONSENT_BASE_URL, isLocalOrPlain } from './authorizations/consent-urls';

/** The sandbox takes any AWS credentials; these are the development ones, refused in production. */
export const DEVELOPMENT_SQS_CREDENTIALS = { accessKeyId: 'sandbox-access-key', secretAccessKey: 'sandbox-secret-access-key' } as const;

/** Signs the `state` of Link with Amazon out of the box; production refuses it. */
export const DEVELOPMENT_AUTHORIZATION_STATE_KEY = 'local-development-authorization-state-key';
/** What docker-compose.yml passes while Link with Amazon is off: refused once it is on, in production. */
const COMPOSE_STATE_KEY_PLACEHOLDER = 'unused-while-link-with-amazon-is-off';

export class OrderIngestionSettings extends AmazonAccessSettings {
  /** Opens the secrets the gateway sealed for us (its CREDENTIALS_TRANSIT_KEY). */
  @IsCredentialsKey() CREDENTIALS_TRANSIT_KEY = DEVELOPMENT_TRANSIT_KEY;
  /** How often a replica looks for accounts that are due. */
  @Type(() => Number) @IsNumber() @IsPositive() SYNC_TICK_SECONDS = 2;
  /** A replica that dies mid-sync gives its accounts up after this long. */
  @Type(() => Number) @IsInt() @Min(10) SYNC_LEASE_SECONDS = 60;
  /** Each sync re-reads this much before the cursor: Amazon can be slow to show a change. */
  @Type(() => Number) @IsInt() @Min(0) @Max(86400) SYNC_OVERLAP_SECONDS = 300;
  /**
   * A run that commits no page and gets no answer from Amazon for this long is abandoned:
   * marked failed with the reason, its lease released so the account syncs again. Well above
   * the longest wait for Amazon's quota (searchOrders: one call per three minutes once its
   * burst is spent).
   */
  @Type(() => Number) @IsNumber() @IsPositive() SYNC_STALL_SECONDS = 600;
  /**
   * A run cut short by an outage (a connection to PostgreSQL or NATS lost, another service or Amazon
   * away) is tried again within this long after it ended (at least half of it) rather than a whole
   * sync interval later, doubled for each such run in a row; once that reaches the interval the
   * account runs on, that interval.
   */
  @Type(() => Number) @IsNumber() @IsPositive() SYNC_OUTAGE_RETRY_SECONDS = 5;
  /** Health reports an account whose last successful sync is older than this many of its sync intervals. */
  @Type(() => Number) @IsNumber() @Min(1) SYNC_OVERDUE_INTERVALS = 3;
  /**
   * An `account.sync_stalled` alert goes out for an account (sync enabled) with no successful
   * sync for its sync interval plus this many minutes (fractions allowed), once per episode, and
   * its `resolved` once it syncs again.
   */
  @Type(() => Number) @IsNumber() @IsPositive() ALERT_SYNC_STALLED_MINUTES = 30;
  /**
   * Sync run history kept: a run is deleted (every SYNC_RUNS_PRUNE_INTERVAL_SECONDS, hourly) once it
   * is older than SYNC_RUNS_KEEP_DAYS and its account has SYNC_RUNS_KEEP_PER_ACCOUNT newer runs. Runs
   * queued or running are never deleted.
   */
  @Type(() => Number) @IsNumber() @Min(0) SYNC_RUNS_KEEP_DAYS = 1;
  @Type(() => Number) @IsNumber() @IsPositive() SYNC_RUNS_PRUNE_INTERVAL_SECONDS = 3600;
  @Type(() => Number) @IsInt() @Min(1) SYNC_RUNS_KEEP_PER_ACCOUNT = 100;


  // Link with Amazon (the website authorization workflow). The app is the seller's SP-API
  // application registered in Amazon's Developer Central / Solution Provider Portal.
  /** The app's id (amzn1.sp.solution.<uuid>); empty turns Link with Amazon off. */
  @Matches(/^$|^amzn1\.sp\.solution\.[0-9a-f-]{36}$/, { message: 'SPAPI_APP_ID must be amzn1.sp.solution.<uuid> (or empty: Link with Amazon off)' })
  SPAPI_APP_ID: string = DEVELOPMENT_SPAPI_APP.applicationId;
  /** The app's LWA client id: the lwaClientId of every account linked through it. */
  @IsString() SPAPI_APP_CLIENT_ID: string = DEVELOPMENT_SPAPI_APP.clientId;
  /** The app's LWA client secret: sealed with CREDENTIALS_KEY into each linked account, never logged or returned. */
  @IsString() SPAPI_APP_CLIENT_SECRET: string = DEVELOPMENT_SPAPI_APP.clientSecret;
  /** The app's OAuth redirect URI, as registered at Amazon: the gateway's `/api/v1/authorizations/callback` as the seller's browser reaches it. */
  @Matches(/^$|^https?:\/\/[^\s?#]+$/, { message: 'SPAPI_APP_REDIRECT_URI must be an http(s) URL without query or fragment' })
  SPAPI_APP_REDIRECT_URI: string = 'http://127.0.0.1:3000/api/v1/authorizations/callback';
  /** A draft app (not published on the Appstore) is authorized with `version=beta` in the consent URL. */
  @IsIn(['yes', 'no'], { message: 'SPAPI_APP_DRAFT must be yes or no' }) SPAPI_APP_DRAFT: string = 'yes';
  /**
   * Where the consent page is: `amazon` (Seller Central of the account's region), one base URL for
   * every region (a sandbox), or `NA=<url>,EU=<url>,FE=<url>` (regions left out: Amazon's).
   */
  @CheckedBy('consentUrls', (value) => ConsentUrls.fromSetting(value)) SPAPI_CONSENT_BASE_URL: string = DEVELOPMENT_CONSENT_BASE_URL;
  /** Signs the `state` of each consent (HMAC-SHA256); comma-separated while rotating, the first signs. */
  @IsCredentialsKey() AUTHORIZATION_STATE_KEY: string = DEVELOPMENT_AUTHORIZATION_STATE_KEY;
  /** How long a consent URL (its state) stays good. */
  @Type(() => Number) @IsNumber() @Min(1) @Max(3600) AUTHORIZATION_STATE_TTL_SECONDS = 600;
  /** How often each account's marketplace participations are asked of the Sellers API (fractions allowed). */
  @Type(() => Number) @IsNumber() @IsPositive() MARKETPLACE_REFRESH_HOURS = 24;

  // Order changes within seconds: Amazon's ORDER_CHANGE notifications through an SQS queue.
  /** The SQS queue Amazon sends ORDER_CHANGE to (its URL, as the SDK takes it); empty turns notifications off (polling only). */
  @Matches(/^$|^https?:\/\/[^\s?#]+\/[^/\s?#]+\/[A-Za-z0-9_-]{1,80}\/?$/, { message: 'ORDER_NOTIFICATIONS_QUEUE_URL must be an SQS queue URL (https://sqs.<region>.amazonaws.com/<account>/<queue>) or empty' })
  ORDER_NOTIFICATIONS_QUEUE_URL: string = '';
  /** The queue's ARN for the destination at Amazon; empty: made from the URL and SQS_REGION. */
  @Matches(/^$|^arn:aws:sqs:[^:\s]+:[^:\s]+:[A-Za-z0-9_-]{1,80}$/, { message: 'ORDER_NOTIFICATIONS_QUEUE_ARN must be arn:aws:sqs:<region>:<account>:<queue> or empty' })
  ORDER_NOTIFICATIONS_QUEUE_ARN: string = '';
  /** SQS's endpoint; empty: AWS's own of SQS_REGION. A sandbox's base URL in development. */
  @Matches(/^$|^https?:\/\/[^\s?#]+$/, { message: 'SQS_ENDPOINT must be an http(s) URL or empty' }) SQS_ENDPOINT: string = '';
  /** The queue's region; empty: the one in an AWS queue URL (sqs.<region>.amazonaws.com), else us-east-1. One that differs from the URL's is refused. */
  @Matches(/^$|^[a-z]{2}(-[a-z]+)+-\d$/, { message: 'SQS_REGION must be an AWS region, e.g. eu-west-1, or empty' }) SQS_REGION: string = '';
  /** The queue reader's AWS credentials; both empty: the SDK's default chain (environment, instance or task role). Production refuses the development ones. */
  @IsString() SQS_ACCESS_KEY_ID: string = DEVELOPMENT_SQS_CREDENTIALS.accessKeyId;
  @IsString() SQS_SECRET_ACCESS_KEY: string = DEVELOPMENT_SQS_CREDENTIALS.secretAccessKey;
  /** How long a received notification stays hidden from other readers while it is handled (0: the queue's own setting). */
  @Type(() => Number) @IsInt() @Min(0) @Max(43200) SQS_VISIBILITY_TIMEOUT_SECONDS = 0;
  /** While notifications flow, a subscribed account's polling (the safety net) runs at least this far apart. */
  @Type(() => Number) @IsInt() @Min(60) ORDER_NOTIFICATIONS_SYNC_INTERVAL_SECONDS = 3600;

  get notificationsEnabled(): boolean {
    return this.ORDER_NOTIFICATIONS_QUEUE_URL !== '';
  }

  /** The destination's ARN: as given, or made from the queue URL (…/<account>/<queue>) and the queue's region. */
  get notificationsQueueArn(): string {
    if (this.ORDER_NOTIFICATIONS_QUEUE_ARN) return this.ORDER_NOTIFICATIONS_QUEUE_ARN;
    const [account, queue] = new URL(this.ORDER_NOTIFICATIONS_QUEUE_URL).pathname.split('/').filter(Boolean).slice(-2);
    return `arn:aws:sqs:${this.sqsRegion}:${account}:${queue}`;
  }

  /** The region the reader signs for: SQS_REGION, else the AWS queue URL's, else us-east-1. */
  get sqsRegion(): string {
    return this.SQS_REGION || regionOfQueueUrl(this.ORDER_NOTIFICATIONS_QUEUE_URL) || 'us-east-1';
  }

  get linkingEnabled(): boolean {
    return this.SPAPI_APP_ID !== '';
  }

  override problems(): string[] {
    const problems = super.problems();
    // A request signed for another region than the queue's is refused by SQS at every read: say so at start-up.
    const urlRegion = regionOfQueueUrl(this.ORDER_NOTIFICATIONS_QUEUE_URL);
    if (urlRegion && this.SQS_REGION && this.SQS_REGION !== urlRegion) problems.push(`SQS_REGION (${this.SQS_REGION}) is not the region of ORDER_NOTIFICATIONS_QUEUE_URL (${urlRegion}): set it to ${urlRegion} or leave it empty`);
    const arnRegion = /^arn:aws:sqs:([^:]+):/.exec(this.ORDER_NOTIFICATIONS_QUEUE_ARN)?.[1];
    if (urlRegion && arnRegion && arnRegion !== urlRegion) problems.push(`ORDER_NOTIFICATIONS_QUEUE_ARN names region ${arnRegion}, ORDER_NOTIFICATIONS_QUEUE_URL region ${urlRegion}: they must name the same queue`);
    if (!this.SQS_ACCESS_KEY_ID !== !this.SQS_SECRET_ACCESS_KEY) problems.push('SQS_ACCESS_KEY_ID and SQS_SECRET_ACCESS_KEY go together: set both, or leave both empty for the AWS default credentials');
    if (!this.linkingEnabled) return problems;
    const missing = (['SPAPI_APP_CLIENT_ID', 'SPAPI_APP_CLIENT_SECRET', 'SPAPI_APP_REDIRECT_URI'] as const).filter((name) => !this[name]);
    if (missing.length) problems.push(`${missing.join(', ')} must be set when SPAPI_APP_ID is (Link with Amazon); or leave SPAPI_APP_ID empty to turn it off`);
    return problems;
  }

  override productionProblems(): string[] {
    const problems = [...super.productionProblems(), ...credentialsKeyProblems(this.CREDENTIALS_TRANSIT_KEY, 'CREDENTIALS_TRANSIT_KEY')];
    if (this.notificationsEnabled) {
      const notifications = 'order notifications are on (ORDER_NOTIFICATIONS_QUEUE_URL; set it empty to turn them off)';
      if (this.SQS_ACCESS_KEY_ID === DEVELOPMENT_SQS_CREDENTIALS.accessKeyId || this.SQS_SECRET_ACCESS_KEY === DEVELOPMENT_SQS_CREDENTIALS.secretAccessKey) problems.push(`SQS_ACCESS_KEY_ID and SQS_SECRET_ACCESS_KEY must be the reader's own (or both empty for the AWS default credentials) in production: ${notifications}`);
      const local = [this.SQS_ENDPOINT, this.ORDER_NOTIFICATIONS_QUEUE_URL].filter((url) => url && isLocalOrPlain(url));
      if (local.length) problems.push(`SQS_ENDPOINT and ORDER_NOTIFICATIONS_QUEUE_URL must not name a sandbox in production (plain http or a local host): ${local.join(', ')}`);
    }
    if (!this.linkingEnabled) return problems;
    const app = 'Link with Amazon is on (SPAPI_APP_ID; set it empty to turn it off)';
    if (this.SPAPI_APP_ID === DEVELOPMENT_SPAPI_APP.applicationId) problems.push(`SPAPI_APP_ID must be your app's id in production: ${app}`);
    if (this.SPAPI_APP_CLIENT_ID === DEVELOPMENT_SPAPI_APP.clientId || !this.SPAPI_APP_CLIENT_ID) problems.push(`SPAPI_APP_CLIENT_ID must be your app's LWA client id in production: ${app}`);
    if (this.SPAPI_APP_CLIENT_SECRET === DEVELOPMENT_SPAPI_APP.clientSecret || !this.SPAPI_APP_CLIENT_SECRET) problems.push(`SPAPI_APP_CLIENT_SECRET must be your app's LWA client secret in production: ${app}`);
    if (!this.SPAPI_APP_REDIRECT_URI.startsWith('https://')) problems.push(`SPAPI_APP_REDIRECT_URI must be https in production (Amazon takes only https redirect URIs): ${app}`);
    const local = ConsentUrls.fromSetting(this.SPAPI_CONSENT_BASE_URL).all().filter(isLocalOrPlain);
    if (local.length) problems.push(`SPAPI_CONSENT_BASE_URL must not name a sandbox in production (plain http or a local host): ${local.join(', ')}`);
    problems.push(...credentialsKeyProblems(this.AUTHORIZATION_STATE_KEY, 'AUTHORIZATION_STATE_KEY', [DEVELOPMENT_AUTHORIZATION_STATE_KEY, COMPOSE_STATE_KEY_PLACEHOLDER]));
    return problems;
  }
}

/** The region of an AWS SQS queue URL (https://sqs.<region>.amazonaws.com/… or the legacy <region>.queue.amazonaws.com), or undefined for another host (a sandbox). */
export function regionOfQueueUrl(url: string): string | undefined {
  if (!url) return undefined;
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  return /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1] ?? /^([a-z]{2}(?:-[a-z]+)+-\d)\.queue\.amazonaws\.com(?:\.cn)?$/.exec(host)?.[1];
}
