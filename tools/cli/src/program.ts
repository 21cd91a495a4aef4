import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  IMPORT_ACCOUNTS_MAX,
  type AccountView,
  type CreateAccountRequest,
  type DeliveryView,
  type ImportedAccountsView,
  type NotificationView,
  type QuarantinedOrderView,
  type RetryNotificationsResult,
  type SalesOrderLineView,
  type SalesOrderView,
  type SyncRequestedView,
  type SyncRunView,
  type ValidateDeliveryBody,
} from '@connector/contracts';
import { ApiRefusal, GatewayClient, GatewayUnreachable, UsageError } from './gateway-client';
import { Column, describeError, EXIT, exitCodeOf, fields, ImportIncomplete, NotFound, RunFailed, runProgress, table } from './output';
import { importAccounts, ImportStopped, readAccountsFile } from './import-accounts';

export const DEFAULT_URL = 'http://127.0.0.1:3000';

/** Where the CLI reads and writes; the real process's in main.ts, a recorder's in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  /** Waits between polls of a followed sync run. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** GET /api/v1/keys and POST /api/v1/keys (the gateway's own views, not in libs/contracts). */
interface ApiKeyView {
  id: string;
  name: string;
  keyPrefix: string;
  scopes: string[];
  accountIds: string[] | null;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}
type CreatedApiKeyView = ApiKeyView & { key: string };

/** GET /api/v1/orders/:id: the order and what other services know of it ("unavailable" when one did not answer). */
type OrderDetailsView = SalesOrderView & {
  deliveries: DeliveryView[] | 'unavailable';
  notifications: NotificationView[] | 'unavailable';
};

const AMAZON_ORDER_ID = /^\d{3}-\d{7}-\d{7}$/;
const SYNC_RUN_ENDED = new Set(['succeeded', 'failed']);

interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
  idempotencyKey?: string;
}

/** Runs one command line (without `node` and the script) and answers its exit code; never exits the process. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help asked for is no error; a command group without its command shows help as an error ('commander.help').
      // commander has written help and its own usage errors already.
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    io.stderr(`${describeError(error)}\n`);
    return exitCodeOf(error);
  }
}

export function buildProgram(io: CliIo): Command {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = io.now ?? Date.now;
  const program = new Command('amazon-connector')
    .description("The Amazon order connector's command line, over the gateway's HTTP API (/api/v1).")
    .option('--url <url>', `the gateway (default: CONNECTOR_URL, else ${DEFAULT_URL})`)
    .option('--key <apiKey>', 'the API key (default: CONNECTOR_API_KEY; better there, a command line is seen by others)')
    .option('--json', 'print the API\'s answers as JSON, for scripts')
    .option('--idempotency-key <key>', 'sent with POSTs: the same key and body again answer the first answer, not done twice')
    .addHelpText(
      'after',
      '\nExit codes: 0 done; 1 the gateway refused (not found, bad input, wrong key or scope) or a followed sync run failed;\n2 usage error (unknown command or option, missing value, no API key); 3 the gateway cannot be reached.',
    )
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  const settings = (command: Command): GlobalOptions => command.optsWithGlobals<GlobalOptions>();
  const clientOf = (command: Command, idempotencyKey = settings(command).idempotencyKey): GatewayClient => {
    const options = settings(command);
    const url = options.url ?? io.env.CONNECTOR_URL ?? DEFAULT_URL;
    const key = options.key ?? io.env.CONNECTOR_API_KEY;
    if (!url || !/^https?:\/\/[^/]/.test(url)) throw new UsageError(`--url must be an http(s) URL, not "${url ?? ''}"`);
    if (!key) throw new UsageError('no API key: give --key or set CONNECTOR_API_KEY');
    return new GatewayClient({ url, apiKey: key, idempotencyKey, fetch: io.fetch });
  };
  /** JSON for scripts, or the table/lines for people. */
  const print = (command: Command, answer: unknown, human: () => string) => {
    io.stdout(`${settings(command).json ? JSON.stringify(answer, null, 2) : human()}\n`);
  };
  const printPage = <T>(command: Command, page: Page<T>, columns: Column<T>[], empty: string) =>
    print(command, page, () => {
      if (!page.items.length) return empty;
      const more = page.nextCursor ? `\n(more: --cursor ${page.nextCursor})` : '';
      return `${table(columns, page.items)}${more}`;
    });
  // Subcommands inherit exitOverride, the output and showHelpAfterError from the program.
  const leaf = (parent: Command, name: string, description: string) => parent.command(name).description(description);
  const group = (name: string, description: string) => program.command(name).description(description);
  const paging = (command: Command) => command.option('--limit <n>', 'at most this many (1-500)', positiveInteger('--limit')).option('--cursor <cursor>', 'the next page (as a list printed it)');

  // ---- accounts ----------------------------------------------------------------------------------
  const accounts = group('accounts', 'seller accounts: list, add, sync, follow a sync run');
  paging(leaf(accounts, 'list', 'list the seller accounts')).action(async (options, command: Command) => {
    const page = await clientOf(command).get<Page<AccountView>>('/accounts', { limit: options.limit, cursor: options.cursor });
    printPage(command, page, ACCOUNT_COLUMNS, 'no accounts');
  });

  leaf(accounts, 'add', 'add a seller account (its LWA client secret and refresh token from the environment or a file, never the command line)')
    .requiredOption('--name <name>', 'what the seller calls the account')
    .requiredOption('--seller-id <id>', "Amazon's seller (merchant) id")
    .addOption(new Option('--region <region>', "Amazon's region").choices(['NA', 'EU', 'FE']).makeOptionMandatory())
    .requiredOption('--marketplace <id...>', 'marketplace ids (one or more)')
    .requiredOption('--lwa-client-id <id>', 'the SP-API app\'s LWA client id')
    .option('--secrets-file <file>', 'JSON { "lwaClientSecret", "refreshToken" } ("-": standard input); else AMAZON_LWA_CLIENT_SECRET and AMAZON_REFRESH_TOKEN')
    .addOption(new Option('--orders-api <version>', 'Orders API version').choices(['v2026-01-01', 'v0']))
    .option('--api-endpoint <url>', 'SP-API endpoint (default: the region\'s)')
    .option('--lwa-endpoint <url>', 'LWA token endpoint (default: Amazon\'s)')
    .option('--initial-sync-from <time>', 'read orders from this ISO time on')
    .option('--sync-interval <seconds>', 'seconds between scheduled syncs (60-86400)', positiveInteger('--sync-interval'))
    .option('--no-sync', 'add it with its scheduled sync off')
    .action(async (options, command: Command) => {
      const client = clientOf(command);
      const secrets = readSecrets(options.secretsFile, io.env);
      const body: CreateAccountRequest = {
        name: options.name,
        sellerId: options.sellerId,
        region: options.region,
        lwaClientId: options.lwaClientId,
        lwaClientSecret: secrets.lwaClientSecret,
        refreshToken: secrets.refreshToken,
        marketplaceIds: options.marketplace,
        ...(options.ordersApi && { ordersApi: options.ordersApi }),
        ...(options.apiEndpoint && { apiEndpoint: options.apiEndpoint }),
        ...(options.lwaEndpoint && { lwaEndpoint: options.lwaEndpoint }),
        ...(options.initialSyncFrom && { initialSyncFrom: options.initialSyncFrom }),
        ...(options.syncInterval && { syncIntervalSeconds: options.syncInterval }),
        ...(options.sync === false && { syncEnabled: false }),
      };
      const account = await client.post<AccountView>('/accounts', body);
      print(command, account, () => `added account ${account.id}\n${table(ACCOUNT_COLUMNS, [account])}`);
    });

  leaf(accounts, 'import', `add many seller accounts from a file (JSON Lines, one account a line; or a JSON array), ${IMPORT_ACCOUNTS_MAX} a request, each request all or nothing`)
    .argument('<file>', 'file.jsonl or file.json ("-": standard input), each account as POST /api/v1/accounts takes it, secrets included')
    .option('--chunk <n>', `accounts per request (1-${IMPORT_ACCOUNTS_MAX})`, positiveInteger('--chunk'), IMPORT_ACCOUNTS_MAX)
    .option('--skip-existing', 'leave out accounts whose seller already has one (a rerun after an interruption) instead of failing their request')
    .action(async (file: string, options, command: Command) => {
      if (options.chunk > IMPORT_ACCOUNTS_MAX) throw new UsageError(`--chunk takes at most ${IMPORT_ACCOUNTS_MAX}`);
      const lines = readAccountsFile(file);
      const { idempotencyKey } = settings(command);
      let stopped: ImportStopped | undefined;
      const result = await importAccounts(lines, {
        chunk: options.chunk,
        skipExisting: Boolean(options.skipExisting),
        // Each request its own key, from its content: <key>-<hash of the body>.
        post: (body, contentKey) => clientOf(command, idempotencyKey && `${idempotencyKey}-${contentKey}`).post<ImportedAccountsView>('/accounts/import', body),
        progress: (text) => io.stderr(`${text}\n`),
      }).catch((error: unknown) => {
        if (!(error instanceof ImportStopped)) throw error;
        stopped = error;
        return error.result;
      });
      print(command, result, () =>
        [
          `created ${result.created}, failed ${result.failed}${result.skipped ? `, skipped ${result.skipped} (already there)` : ''} of ${lines.length} accounts`,
          ...result.errors.map((e) => `  line ${e.line}: ${e.field ? `${e.field}: ` : ''}${e.errors.join('; ')}`),
          ...(result.stopped
            ? [
                `stopped: ${result.stopped.error}`,
                ...(result.stopped.uncertain.length ? [`  lines ${result.stopped.uncertain.join(', ')}: no clear answer, may have been created (rerun with --skip-existing)`] : []),
                ...(result.stopped.unsent.length ? [`  lines ${result.stopped.unsent.join(', ')}: not sent`] : []),
              ]
            : []),
        ].join('\n'),
      );
      if (stopped) throw new ImportIncomplete(`the import stopped: ${stopped.message}`);
      if (result.failed) throw new ImportIncomplete(`${result.failed} of ${lines.length} accounts were not created`);
    });

  /**
   * Looks at the run every `intervalMs` until it ends. A gateway that goes away meanwhile (a restart, a 5xx, a 429)
   * is waited for up to `patienceSeconds`: the run goes on without us, and following it again is harmless.
   */
  const followRun = async (command: Command, client: GatewayClient, accountId: string, runId: string, intervalMs: number, patienceSeconds: number) => {
    let last = '';
    let troubleSince: number | undefined;
    for (;;) {
      let run: SyncRunView;
      try {
        run = await client.get<SyncRunView>(`/accounts/${encodeURIComponent(accountId)}/sync-runs/${encodeURIComponent(runId)}`);
        troubleSince = undefined;
      } catch (error) {
        const passing = error instanceof GatewayUnreachable || (error instanceof ApiRefusal && (error.status >= 500 || error.status === 429));
        if (!passing) throw error;
        troubleSince ??= now();
        if (now() - troubleSince >= patienceSeconds * 1000) throw error;
        io.stderr(`run ${runId}: ${describeError(error).replace(/^error: /, '').split('\n')[0]}; trying again\n`);
        last = '';
        await sleep(intervalMs);
        continue;
      }
      const progress = runProgress(run);
      // Progress goes to stderr, so stdout stays the answer (and valid JSON with --json).
      if (progress !== last) io.stderr(`run ${run.id}: ${progress}\n`);
      last = progress;
      if (SYNC_RUN_ENDED.has(run.status)) {
        print(command, run, () => fields(runFields(run)));
        if (run.status === 'failed') throw new RunFailed(`sync run ${run.id} failed${run.errors.length ? `: ${run.errors.join('; ')}` : ''}`);
        return;
      }
      await sleep(intervalMs);
    }
  };
  const following = (command: Command) =>
    command
      .option('--interval <ms>', 'between looks at the run', positiveInteger('--interval'), 1000)
      .option('--patience <seconds>', 'how long the gateway may be unreachable (or answer 5xx) while following, before giving up', positiveInteger('--patience'), 60);

  following(
    leaf(accounts, 'sync', 'sync an account now (answers the run; --follow waits for it to end)')
      .argument('<accountId>')
      .option('--follow', 'follow the run until it ends, with its progress'),
  ).action(async (accountId: string, options, command: Command) => {
    const client = clientOf(command);
    const requested = await client.post<SyncRequestedView>(`/accounts/${encodeURIComponent(accountId)}/sync`);
    const what = `sync run ${requested.runId} ${requested.alreadyRunning ? 'already under way' : 'requested'}`;
    if (!options.follow) {
      print(command, requested, () => `${what} (${requested.status}); follow it: amazon-connector accounts follow ${accountId} ${requested.runId}`);
      return;
    }
    io.stderr(`${what}\n`);
    await followRun(command, client, accountId, requested.runId, options.interval, options.patience);
  });

  following(
    leaf(accounts, 'follow', 'follow a sync run until it ends, with its progress (exit 1 when it failed)').argument('<accountId>').argument('<runId>'),
  ).action(async (accountId: string, runId: string, options, command: Command) => {
    await followRun(command, clientOf(command), accountId, runId, options.interval, options.patience);
  });

  paging(leaf(accounts, 'runs', 'list an account\'s sync runs, newest first'))
    .argument('<accountId>')
    .action(async (accountId: string, options, command: Command) => {
      const page = await clientOf(command).get<Page<SyncRunView>>(`/accounts/${encodeURIComponent(accountId)}/sync-runs`, { limit: options.limit, cursor: options.cursor });
      printPage(command, page, RUN_COLUMNS, 'no sync runs');
    });

  // ---- orders ------------------------------------------------------------------------------------
  const orders = group('orders', 'sales orders: find, show');
  paging(leaf(orders, 'find', 'find orders by Amazon order id, status, account, marketplace, channel'))
    .option('--amazon-order-id <id>', "Amazon's order id")
    .option('--status <status>', 'the sales order status')
    .option('--account <accountId>', 'the seller account')
    .option('--marketplace <marketplaceId>', 'the marketplace')
    .addOption(new Option('--channel <channel>', 'fulfilment channel').choices(['FBA', 'FBM']))
    .option('--updated-since <time>', 'changed since this ISO time')
    .action(async (options, command: Command) => {
      const page = await clientOf(command).get<Page<SalesOrderView>>('/orders', {
        amazonOrderId: options.amazonOrderId,
        status: options.status,
        accountId: options.account,
        marketplaceId: options.marketplace,
        channel: options.channel,
        updatedSince: options.updatedSince,
        limit: options.limit,
        cursor: options.cursor,
      });
      printPage(command, page, ORDER_COLUMNS, 'no orders found');
    });

  leaf(orders, 'show', 'show one order with its lines and deliveries (by its id or its Amazon order id)')
    .argument('<order>', 'the sales order id, or an Amazon order id (123-1234567-1234567)')
    .action(async (order: string, _options, command: Command) => {
      const client = clientOf(command);
      let id = order;
      if (AMAZON_ORDER_ID.test(order)) {
        const found = await client.get<Page<SalesOrderView>>('/orders', { amazonOrderId: order });
        if (!found.items.length) throw new NotFound(`no order with Amazon order id ${order}`);
        id = found.items[0].id;
      }
      const details = await client.get<OrderDetailsView>(`/orders/${encodeURIComponent(id)}`);
      print(command, details, () => orderText(details));
    });

  // ---- quarantine --------------------------------------------------------------------------------
  const quarantine = group('quarantine', 'orders that could not become sales orders: list, retry');
  paging(leaf(quarantine, 'list', 'list quarantined orders with their reasons'))
    .option('--account <accountId>', 'the seller account')
    .action(async (options, command: Command) => {
      const page = await clientOf(command).get<Page<QuarantinedOrderView>>('/orders/quarantined', { accountId: options.account, limit: options.limit, cursor: options.cursor });
      printPage(command, page, QUARANTINE_COLUMNS, 'nothing quarantined');
    });

  leaf(quarantine, 'retry', 'fetch a quarantined order from Amazon again now and store it (POST .../orders/:amazonOrderId/sync)')
    .argument('<amazonOrderId>')
    .option('--account <accountId>', 'its seller account (looked up in the quarantine when left out)')
    .action(async (amazonOrderId: string, options, command: Command) => {
      const client = clientOf(command);
      const accountId = options.account ?? (await quarantinedAccountOf(client, amazonOrderId));
      const stored = await client.post<SalesOrderView>(`/accounts/${encodeURIComponent(accountId)}/orders/${encodeURIComponent(amazonOrderId)}/sync`);
      print(command, stored, () => `order ${amazonOrderId} stored as ${stored.id} (${stored.status})`);
    });

  // ---- deliveries --------------------------------------------------------------------------------
  const deliveries = group('deliveries', 'FBM deliveries: list, validate (ship) with tracking');
  paging(leaf(deliveries, 'list', 'list deliveries'))
    .option('--order <orderId>', 'of this sales order')
    .option('--account <accountId>', 'the seller account')
    .addOption(new Option('--state <state>', 'their state').choices(['ready', 'done', 'canceled']))
    .option('--ship-by', 'most urgent first (sort=shipBy)')
    .action(async (options, command: Command) => {
      const page = await clientOf(command).get<Page<DeliveryView>>('/deliveries', {
        orderId: options.order,
        accountId: options.account,
        state: options.state,
        sort: options.shipBy ? 'shipBy' : undefined,
        limit: options.limit,
        cursor: options.cursor,
      });
      printPage(command, page, DELIVERY_COLUMNS, 'no deliveries');
    });

  leaf(deliveries, 'validate', 'validate (ship) a delivery with its carrier and tracking number; Amazon is told')
    .argument('<deliveryId>')
    .requiredOption('--tracking <number>', 'the tracking number')
    .option('--carrier <name>', 'the carrier as you call it (mapped through carrier mappings, else Amazon\'s code, else Other)')
    .option('--carrier-code <code>', "one of Amazon's carrier codes (GET /api/v1/carriers), instead of --carrier")
    .option('--carrier-name <name>', 'with --carrier-code Other: the carrier\'s name')
    .option('--shipping-method <method>', 'e.g. Paket')
    .option('--ship-date <time>', 'ISO time it shipped (default now)')
    .action(async (deliveryId: string, options, command: Command) => {
      const client = clientOf(command);
      if (!options.carrier && !options.carrierCode) throw new UsageError('give --carrier or --carrier-code');
      const body: ValidateDeliveryBody = {
        trackingNumber: options.tracking,
        ...(options.carrier && { carrier: options.carrier }),
        ...(options.carrierCode && { carrierCode: options.carrierCode }),
        ...(options.carrierName && { carrierName: options.carrierName }),
        ...(options.shippingMethod && { shippingMethod: options.shippingMethod }),
        ...(options.shipDate && { shipDate: options.shipDate }),
      };
      const delivery = await client.post<DeliveryView>(`/deliveries/${encodeURIComponent(deliveryId)}/validate`, body);
      print(command, delivery, () => `delivery ${delivery.id} validated: ${delivery.state}, ${delivery.carrierCode ?? '-'} ${delivery.trackingNumber ?? '-'}; Amazon is told`);
    });

  // ---- notifications -----------------------------------------------------------------------------
  const notifications = group('notifications', 'what is told to Amazon: list, retry');
  paging(leaf(notifications, 'list', 'list notifications to Amazon'))
    .option('--order <orderId>', 'of this sales order')
    .option('--account <accountId>', 'the seller account')
    .addOption(new Option('--state <state>', 'their state').choices(['pending', 'sent', 'failed']))
    .addOption(new Option('--kind <kind>', 'their kind').choices(['shipment_confirmation', 'cancellation', 'unit_cancellation']))
    .action(async (options, command: Command) => {
      const page = await clientOf(command).get<Page<NotificationView>>('/notifications', {
        orderId: options.order,
        accountId: options.account,
        state: options.state,
        kind: options.kind,
        limit: options.limit,
        cursor: options.cursor,
      });
      printPage(command, page, NOTIFICATION_COLUMNS, 'no notifications');
    });

  leaf(notifications, 'retry', 'send a failed notification again now; or, with --failed, the failed ones matching the filters')
    .argument('[notificationId]')
    .option('--failed', 'every failed one matching --account and --kind (up to --max)')
    .option('--account <accountId>', 'with --failed: of this seller account')
    .addOption(new Option('--kind <kind>', 'with --failed: of this kind').choices(['shipment_confirmation', 'cancellation', 'unit_cancellation']))
    .option('--max <n>', 'with --failed: at most this many (default 1000)', positiveInteger('--max'))
    .action(async (notificationId: string | undefined, options, command: Command) => {
      const client = clientOf(command);
      if (notificationId && options.failed) throw new UsageError('give a notification id or --failed, not both');
      if (notificationId) {
        const notification = await client.post<NotificationView>(`/notifications/${encodeURIComponent(notificationId)}/retry`);
        print(command, notification, () => `notification ${notification.id} (${notification.kind} of ${notification.amazonOrderId}) is ${notification.state}: sent again now`);
        return;
      }
      if (!options.failed) throw new UsageError('give a notification id, or --failed for every failed one');
      const result = await client.post<RetryNotificationsResult>('/notifications/retry', {
        ...(options.account && { accountId: options.account }),
        ...(options.kind && { kind: options.kind }),
        ...(options.max && { limit: options.max }),
      });
      print(command, result, () => `${result.retried} failed notification(s) sent again${result.ids.length ? `: ${result.ids.join(', ')}` : ''}`);
    });

  // ---- keys --------------------------------------------------------------------------------------
  const keys = group('keys', 'API keys (scope admin): list, create, revoke');
  paging(leaf(keys, 'list', 'list API keys'))
    .option('--include-revoked', 'revoked ones too')
    .action(async (options, command: Command) => {
      const page = await clientOf(command).get<Page<ApiKeyView>>('/keys', { includeRevoked: options.includeRevoked ? true : undefined, limit: options.limit, cursor: options.cursor });
      printPage(command, page, KEY_COLUMNS, 'no API keys');
    });

  leaf(keys, 'create', 'create an API key; the key is printed once and kept nowhere but as a hash')
    .requiredOption('--name <name>', 'what it is for')
    .addOption(new Option('--scope <scope...>', 'read, operate, admin').choices(['read', 'operate', 'admin']).makeOptionMandatory())
    .option('--account <accountId...>', 'limit it to these seller accounts')
    .action(async (options, command: Command) => {
      const created = await clientOf(command).post<CreatedApiKeyView>('/keys', { name: options.name, scopes: options.scope, ...(options.account && { accountIds: options.account }) });
      print(command, created, () => `${table(KEY_COLUMNS, [created])}\n\nkey (shown this once): ${created.key}`);
    });

  leaf(keys, 'revoke', 'revoke an API key')
    .argument('<keyId>')
    .action(async (keyId: string, _options, command: Command) => {
      await clientOf(command).delete(`/keys/${encodeURIComponent(keyId)}`);
      print(command, { id: keyId, revoked: true }, () => `key ${keyId} revoked`);
    });

  return program;
}

async function quarantinedAccountOf(client: GatewayClient, amazonOrderId: string): Promise<string> {
  let cursor: string | undefined;
  do {
    const page = await client.get<Page<QuarantinedOrderView>>('/orders/quarantined', { limit: 500, cursor });
    const found = page.items.find((item) => item.amazonOrderId === amazonOrderId);
    if (found) return found.accountId;
    cursor = page.nextCursor;
  } while (cursor);
  throw new NotFound(`order ${amazonOrderId} is not in the quarantine; name its account with --account to fetch it anyway`);
}

function readSecrets(file: string | undefined, env: Record<string, string | undefined>): { lwaClientSecret: string; refreshToken: string } {
  let source: Record<string, unknown> = { lwaClientSecret: env.AMAZON_LWA_CLIENT_SECRET, refreshToken: env.AMAZON_REFRESH_TOKEN };
  if (file) {
    try {
      source = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
    } catch (error) {
      // Not the file's content: it holds secrets.
      throw new UsageError(`--secrets-file ${file} is not readable JSON (${error instanceof SyntaxError ? 'not JSON' : (error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  const missing = ['lwaClientSecret', 'refreshToken'].filter((name) => typeof source[name] !== 'string' || !source[name]);
  if (missing.length) {
    throw new UsageError(`missing ${missing.join(' and ')}: set AMAZON_LWA_CLIENT_SECRET and AMAZON_REFRESH_TOKEN, or give --secrets-file with { "lwaClientSecret", "refreshToken" }`);
  }
  return { lwaClientSecret: source.lwaClientSecret as string, refreshToken: source.refreshToken as string };
}

function positiveInteger(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${option} takes a whole number of 1 or more.`);
    return n;
  };
}

const day = (time: string | null | undefined) => (time ? time.replace('T', ' ').replace(/\.\d+Z$|Z$/, 'Z') : null);

const ACCOUNT_COLUMNS: Column<AccountView>[] = [
  { header: 'id', value: (a) => a.id },
  { header: 'name', value: (a) => a.name },
  { header: 'seller', value: (a) => a.sellerId },
  { header: 'region', value: (a) => a.region },
  { header: 'marketplaces', value: (a) => a.marketplaceIds },
  { header: 'sync', value: (a) => (a.syncEnabled ? `every ${a.syncIntervalSeconds}s` : 'off') },
  { header: 'synced until', value: (a) => day(a.lastSyncedUntil) },
];

const RUN_COLUMNS: Column<SyncRunView>[] = [
  { header: 'id', value: (r) => r.id },
  { header: 'status', value: (r) => r.status },
  { header: 'trigger', value: (r) => r.trigger },
  { header: 'requested', value: (r) => day(r.requestedAt) },
  { header: 'finished', value: (r) => day(r.finishedAt) },
  { header: 'seen', value: (r) => r.ordersSeen },
  { header: 'created', value: (r) => r.ordersCreated },
  { header: 'updated', value: (r) => r.ordersUpdated },
  { header: 'quarantined', value: (r) => r.ordersQuarantined },
  { header: 'errors', value: (r) => r.errors },
];

const runFields = (run: SyncRunView): [string, unknown][] => [
  ['run', run.id],
  ['account', run.accountId],
  ['status', run.status],
  ['requested', day(run.requestedAt)],
  ['finished', day(run.finishedAt)],
  ['window', run.windowFrom ? `${day(run.windowFrom)} .. ${day(run.windowTo) ?? ''}` : null],
  ['pages', `${run.pagesCommitted} committed of ${run.pagesFetched} fetched`],
  ['orders', `seen ${run.ordersSeen}, created ${run.ordersCreated}, updated ${run.ordersUpdated}, unchanged ${run.ordersUnchanged}, quarantined ${run.ordersQuarantined}`],
  ['Amazon calls', `${run.apiCalls} (throttled ${run.throttled}, waited ${run.rateLimitWaits} times, ${run.rateLimitWaitSeconds}s)`],
  ['errors', run.errors],
];

const ORDER_COLUMNS: Column<SalesOrderView>[] = [
  { header: 'id', value: (o) => o.id },
  { header: 'amazon order', value: (o) => o.amazonOrderId },
  { header: 'channel', value: (o) => o.channel },
  { header: 'status', value: (o) => o.status },
  { header: 'marketplace', value: (o) => o.marketplaceId },
  { header: 'purchased', value: (o) => day(o.purchasedAt) },
  { header: 'total', value: (o) => `${o.amazonTotal ?? o.linesTotal} ${o.currency}` },
  { header: 'delivery', value: (o) => o.deliveryState },
];

const LINE_COLUMNS: Column<SalesOrderLineView>[] = [
  { header: 'kind', value: (l) => l.kind },
  { header: 'sku', value: (l) => l.sku },
  { header: 'name', value: (l) => l.name },
  { header: 'qty', value: (l) => l.quantity },
  { header: 'shipped', value: (l) => l.quantityShipped },
  { header: 'cancelled', value: (l) => l.quantityCancelled },
  { header: 'unit price', value: (l) => l.unitPriceTaxIncluded },
  { header: 'tax', value: (l) => l.taxAmount },
  { header: 'total', value: (l) => `${l.totalTaxIncluded} ${l.currency}` },
];

const DELIVERY_COLUMNS: Column<DeliveryView>[] = [
  { header: 'id', value: (d) => d.id },
  { header: 'amazon order', value: (d) => d.amazonOrderId },
  { header: 'state', value: (d) => (d.onHold ? `${d.state} (on hold)` : d.state) },
  { header: 'ship by', value: (d) => day(d.latestShipDate) },
  { header: 'carrier', value: (d) => d.carrierCode },
  { header: 'tracking', value: (d) => d.trackingNumber },
  { header: 'ship from', value: (d) => d.shipFrom?.name },
];

const QUARANTINE_COLUMNS: Column<QuarantinedOrderView>[] = [
  { header: 'amazon order', value: (q) => q.amazonOrderId },
  { header: 'account', value: (q) => q.accountId },
  { header: 'marketplace', value: (q) => q.marketplaceId },
  { header: 'attempts', value: (q) => q.attempts },
  { header: 'last attempt', value: (q) => day(q.lastAttemptAt) },
  { header: 'reason', value: (q) => (q.lastRetryError ? `${q.reason} (last retry: ${q.lastRetryError})` : q.reason) },
];

const NOTIFICATION_COLUMNS: Column<NotificationView>[] = [
  { header: 'id', value: (n) => n.id },
  { header: 'kind', value: (n) => n.kind },
  { header: 'state', value: (n) => n.state },
  { header: 'amazon order', value: (n) => n.amazonOrderId },
  { header: 'attempts', value: (n) => n.attempts },
  { header: 'sent', value: (n) => day(n.sentAt) },
  { header: 'last error', value: (n) => n.lastError },
];

const KEY_COLUMNS: Column<ApiKeyView>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'name', value: (k) => k.name },
  { header: 'prefix', value: (k) => k.keyPrefix },
  { header: 'scopes', value: (k) => k.scopes },
  { header: 'accounts', value: (k) => k.accountIds ?? 'all' },
  { header: 'created', value: (k) => day(k.createdAt) },
  { header: 'revoked', value: (k) => day(k.revokedAt) },
];

/** One order for people: its fields, lines and deliveries. */
export function orderText(order: OrderDetailsView): string {
  const header = fields([
    ['order', order.id],
    ['amazon order', order.amazonOrderId],
    ['account', order.accountId],
    ['marketplace', order.marketplaceId],
    ['channel', order.channel],
    ['status', `${order.status} (Amazon: ${order.amazonStatus})`],
    ['purchased', day(order.purchasedAt)],
    ['ship by', day(order.latestShipDate)],
    ['total', `${order.amazonTotal ?? '-'} ${order.currency} (lines ${order.linesTotal}${order.reconciled ? '' : ', does not reconcile'})`],
    ['gift message', order.giftMessage],
    ['buyer asked to cancel', order.buyerCancelRequested ? order.buyerCancelReason ?? 'yes' : null],
    ['told Amazon', order.amazonNotificationState ? `${order.amazonNotificationState}${order.amazonNotificationError ? `: ${order.amazonNotificationError}` : ''}` : null],
  ]);
  const deliveries =
    order.deliveries === 'unavailable'
      ? 'deliveries: unavailable (inventory did not answer)'
      : order.deliveries?.length
        ? `deliveries:\n${table(DELIVERY_COLUMNS, order.deliveries)}`
        : 'deliveries: none';
  return `${header}\n\nlines:\n${table(LINE_COLUMNS, order.lines)}\n\n${deliveries}`;
}
