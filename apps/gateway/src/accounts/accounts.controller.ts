import { Body, Controller, Delete, Get, HttpCode, Param, Patch, PayloadTooLargeException, Post, Query, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  accountTransitContext,
  AccountChangeMessage,
  AccountView,
  CREATE_ACCOUNT,
  CreateAccountMessage,
  CreateAccountRequest,
  DELETE_ACCOUNT,
  GET_ACCOUNT,
  LIST_ACCOUNTS,
  GET_SYNC_RUN,
  GetSyncRunRequest,
  IMPORT_ACCOUNTS,
  IMPORT_ACCOUNTS_MAX,
  ImportAccountsMessage,
  ImportAccountsRequest,
  ImportedAccountsView,
  LIST_SYNC_RUNS,
  ListAccountsRequest,
  ListSyncRunsRequest,
  Page,
  PageQuery,
  RECOVER_ORDER,
  RecoverOrderRequest,
  RESYNC_ACCOUNT,
  ResyncAccountBody,
  ResyncAccountRequest,
  ResyncRequestedView,
  SalesOrderView,
  SYNC_ACCOUNT,
  SyncRequestedView,
  SyncRunView,
  UPDATE_ACCOUNT,
  UpdateAccountChanges,
  UpdateAccountRequest,
} from '@connector/contracts';
import { messageBudgetFor } from '@connector/messaging';
import { ServiceClient, TransitSecrets } from '@connector/platform';
import { API_V1 } from '../common/api-version';
import { Idempotent } from '../idempotency/idempotent.decorator';
import { ApiPage, ApiProblems, ApiProblemsWhen, ApiRoutes } from '../openapi/api-docs';
import { UuidParam } from '../common/validation';
import { AccountFrom, ApiScope, RequiresScope } from '../access/scopes';
import type { Caller } from '../access/api-keys.service';
import { AuditChanges, AuditedRequest, AuditService, cleanAuditText } from '../access/audit.service';

/** How long an import may take: up to IMPORT_ACCOUNTS_MAX accounts checked, sealed at rest and inserted in one transaction. */
const IMPORT_WAIT_MS = 60_000;

/**
 * An import's entry when it is refused, or its entries per account cannot be written: every
 * account's seller and region by index (its id once created), never the cut-off body.
 */
export function importAuditChanges(body: unknown): object {
  const accounts = (body as { accounts?: unknown } | undefined)?.accounts;
  if (!Array.isArray(accounts)) return { accounts: null };
  const item = (account: unknown, index: number) => {
    const a = (typeof account === 'object' && account !== null ? account : {}) as Record<string, unknown>;
    return { index, sellerId: cleanAuditText(a.sellerId), region: cleanAuditText(a.region) };
  };
  // One more than an import takes: enough to show it was too many.
  return { count: accounts.length, accounts: accounts.slice(0, IMPORT_ACCOUNTS_MAX + 1).map(item) };
}

/** How long a recovery may take: one getOrder (v0: and its items) through the account's rate limits and retries. */
const RECOVER_ORDER_WAIT_MS = 60_000;

/**
 * Seller accounts. lwaClientSecret and refreshToken are write-only: the service never returns
 * them, and they leave the gateway only sealed for order-ingestion.
 */
@ApiTags('accounts')
@ApiRoutes({ services: true })
@Controller(`${API_V1}/accounts`)
export class AccountsController {
  constructor(
    private readonly services: ServiceClient,
    private readonly secrets: TransitSecrets,
    private readonly audit: AuditService,
  ) {}

  @Post()
  @Idempotent()
  @ApiOperation({ operationId: 'createAccount', summary: 'Add a seller account', description: 'lwaClientSecret and refreshToken are write-only: never returned.' })
  @ApiProblems(409, 413)
  create(@Body() body: CreateAccountRequest): Promise<AccountView> {
    return this.services.request(CREATE_ACCOUNT, this.sealed(body));
  }

  @Post('import')
  @Idempotent()
  @ApiOperation({
    operationId: 'importAccounts',
    summary: `Add many seller accounts at once (up to ${IMPORT_ACCOUNTS_MAX}), all or none`,
    description:
      `Each account as createAccount takes it (the same fields, checks and scope). Everything is checked first: any failing account is a 400 ` +
      'naming it by index and field (`accounts.2.sellerId`), and nothing is created. A seller twice in the request is a 400 on the later one; ' +
      'a seller that already has an account (in its region) is a 409 naming each such account (`details`), and nothing is created: so a retry ' +
      'after a lost answer says which exist (or send an Idempotency-Key to get the first answer back). Otherwise every account is created in one ' +
      'transaction. The first syncs of those with sync on come 20 at a time, a scheduler tick apart, within 5 minutes and their interval (`firstSyncAt`; null with sync off). One audit entry per account created.',
  })
  @ApiProblemsWhen({
    409: 'A seller of the import already has an account in its region (`details` names each by index); nothing was created. Or a request with the same Idempotency-Key is still running.',
    413: `The body is larger than the import takes (1 MiB), or its accounts, their secrets sealed, would not fit in one message to order-ingestion (NATS's max_payload less room for its envelope: 900 KiB at the default 1 MiB): send fewer accounts per import.`,
  })
  @AuditChanges(importAuditChanges)
  async import(@Body() body: ImportAccountsRequest, @Req() request: AuditedRequest & { caller?: Caller }): Promise<ImportedAccountsView> {
    const message: ImportAccountsMessage = { accounts: body.accounts.map((account) => this.sealed(account)) };
    const bytes = Buffer.byteLength(JSON.stringify(message));
    // The NATS server's own max_payload: one set lower than the default would otherwise fail in the NATS client (a 500).
    const maxBytes = messageBudgetFor(await this.services.maxPayload());
    if (bytes > maxBytes) {
      const fitting = Math.max(1, Math.floor((body.accounts.length * maxBytes) / bytes));
      throw new PayloadTooLargeException({
        statusCode: 413,
        error: 'Payload Too Large',
        message: `these ${body.accounts.length} accounts take ${Math.ceil(bytes / 1024)} KiB with their secrets sealed, more than one import carries (${Math.floor(maxBytes / 1024)} KiB): send about ${fitting} at a time; nothing was created`,
      });
    }
    const imported = await this.services.request(IMPORT_ACCOUNTS, message, IMPORT_WAIT_MS);
    // Should the entries per account fail, the request's own names every account created, with its id.
    request.auditChanges = { count: imported.created, accounts: imported.accounts.map(({ index, id, sellerId, region }) => ({ index, id, sellerId, region })) };
    // One entry per account, as its own create would have had (readers look for an account's entry), with its id.
    if (request.caller) await this.audit.recordEach(request.caller, request, 201, imported.accounts.map((account) => ({ id: account.id, index: account.index, ...body.accounts[account.index] })));
    return imported;
  }

  /** The account as order-ingestion takes it: its secrets sealed for it, in transit. */
  private sealed(body: CreateAccountRequest): CreateAccountMessage {
    const { lwaClientSecret, refreshToken, ...account } = body;
    return {
      ...account,
      sealedClientSecret: this.secrets.encrypt(lwaClientSecret, accountTransitContext(body, 'clientSecret')),
      sealedRefreshToken: this.secrets.encrypt(refreshToken, accountTransitContext(body, 'refreshToken')),
    };
  }

  @Get()
  @ApiOperation({ operationId: 'listAccounts', summary: 'List seller accounts' })
  @ApiPage(AccountView)
  list(@Query() query: ListAccountsRequest): Promise<Page<AccountView>> {
    return this.services.request(LIST_ACCOUNTS, query);
  }

  @Get(':id')
  @AccountFrom('param')
  @ApiOperation({ operationId: 'getAccount', summary: 'One seller account' })
  @ApiProblems(404)
  get(@UuidParam() id: string): Promise<AccountView> {
    return this.services.request(GET_ACCOUNT, { id });
  }

  @Patch(':id')
  @AccountFrom('param')
  @ApiOperation({
    operationId: 'updateAccount',
    summary: 'Change a seller account',
    description: 'Changing apiEndpoint, lwaEndpoint or lwaClientId needs both secrets again in the same request.',
  })
  @ApiProblems(404, 413)
  update(@UuidParam() id: string, @Body() body: UpdateAccountChanges): Promise<AccountView> {
    const { lwaClientSecret, refreshToken, ...plain } = body;
    const changes: AccountChangeMessage = { ...plain };
    if (lwaClientSecret !== undefined) changes.sealedClientSecret = this.secrets.encrypt(lwaClientSecret, accountTransitContext({ id }, 'clientSecret'));
    if (refreshToken !== undefined) changes.sealedRefreshToken = this.secrets.encrypt(refreshToken, accountTransitContext({ id }, 'refreshToken'));
    const request: UpdateAccountRequest = { id, changes };
    return this.services.request(UPDATE_ACCOUNT, request);
  }

  @Delete(':id')
  @AccountFrom('param')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteAccount', summary: 'Remove a seller account' })
  @ApiResponse({ status: 204, description: 'Removed.' })
  @ApiProblems(404)
  async remove(@UuidParam() id: string): Promise<void> {
    await this.services.request(DELETE_ACCOUNT, { id });
  }

  @Post(':id/sync')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({
    operationId: 'syncAccount',
    summary: 'Sync the account now',
    description:
      'Answers the id of the run that does it: a run reserved as `queued` (it starts as soon as a replica takes the account), or the run already under way (`alreadyRunning: true`; no second run is queued). Follow it with getSyncRun.',
  })
  @ApiProblems(404)
  sync(@UuidParam() id: string): Promise<SyncRequestedView> {
    return this.services.request(SYNC_ACCOUNT, { id });
  }

  @Post(':id/resync')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @HttpCode(202)
  @Idempotent()
  @ApiOperation({
    operationId: 'resyncAccount',
    summary: 'Read the account\'s orders again from a date',
    description:
      'Sets the account\'s cursor back to `from` (not in the future, not before the account\'s initialSyncFrom) and queues a run that reads every order updated since then (behind a run under way, if one is; that run then leaves the cursor as set). Orders read again that did not change write nothing and send no event. Answers the run, as syncAccount does, with the cursor before and after.',
  })
  @ApiProblems(404, 413)
  resync(@UuidParam() id: string, @Body() body: ResyncAccountBody): Promise<ResyncRequestedView> {
    const request: ResyncAccountRequest = { ...body, id };
    return this.services.request(RESYNC_ACCOUNT, request);
  }

  @Post(':id/orders/:amazonOrderId/sync')
  @RequiresScope(ApiScope.Operate)
  @AccountFrom('param')
  @HttpCode(200)
  @Idempotent()
  @ApiOperation({
    operationId: 'recoverOrder',
    summary: 'Recover one order from Amazon now',
    description:
      'Fetches the order from Amazon at once (getOrder on the account\'s Orders API version, paced like every call of the account) and stores or updates it as the sync does, whatever the account\'s cursor says: an order Amazon changed is updated, one that did not change is left as it is (no event). Answers the sales order. 404: the account is unknown or Amazon does not know the order. 422: the order cannot be stored (why; it is quarantined and retried every run) or is not one the connector keeps (pending, FBA not shipped yet). 429 and 503: Amazon throttles or is away; try again later.',
  })
  @ApiProblemsWhen({
    404: 'The account is unknown (or not one the API key is for), or Amazon does not know the order.',
    422: 'The order cannot be stored (`detail` says why; it is quarantined and retried every run), or is not one the connector keeps (pending, FBA not shipped yet).',
    429: 'Amazon throttles the account\'s getOrder (try again in a minute), or more requests than this API key may make per minute.',
    503: 'Amazon is away or refused the account\'s credentials, or order-ingestion did not answer in time.',
  })
  recoverOrder(@UuidParam() id: string, @Param('amazonOrderId') amazonOrderId: string): Promise<SalesOrderView> {
    const request: RecoverOrderRequest = { accountId: id, amazonOrderId };
    // getOrder may wait for the account's quota and retry Amazon's 5xx: longer than a plain request.
    return this.services.request(RECOVER_ORDER, request, RECOVER_ORDER_WAIT_MS);
  }

  @Get(':id/sync-runs')
  @AccountFrom('param')
  @ApiOperation({ operationId: 'listSyncRuns', summary: 'Sync runs of the account, newest first, with their progress, counts and errors' })
  @ApiPage(SyncRunView)
  @ApiProblems(404)
  syncRuns(@UuidParam() id: string, @Query() query: PageQuery): Promise<Page<SyncRunView>> {
    const request: ListSyncRunsRequest = { ...query, accountId: id };
    return this.services.request(LIST_SYNC_RUNS, request);
  }

  @Get(':id/sync-runs/:runId')
  @AccountFrom('param')
  @ApiOperation({
    operationId: 'getSyncRun',
    summary: 'One sync run and its progress',
    description: 'While it runs, its pages, orders, Amazon calls and rate-limit waits so far and the step it is on (written after every page and every few seconds). Another account\'s run is a 404.',
  })
  @ApiProblems(404)
  syncRun(@UuidParam() id: string, @UuidParam('runId') runId: string): Promise<SyncRunView> {
    const request: GetSyncRunRequest = { accountId: id, runId };
    return this.services.request(GET_SYNC_RUN, request);
  }
}
