import { useState, type FormEvent } from 'react';
import { api, ApiError, ok, type Account, type NewAccount, type SyncRun } from '../api/client';
import { POLL_SECONDS, usePolling } from '../live';
import { useAllowed } from '../caller';
import { Link } from '../router';
import { ActionsHeader, Badge, Button, Checkbox, Checkboxes, dateTime, ErrorNotice, Field, fieldError, PageHeader, Select, Status, Table, Updated } from '../ui';

/** A run being followed is read this often until it ends. */
const RUN_POLL_SECONDS = 1;
const REGIONS: NewAccount['region'][] = ['EU', 'NA', 'FE'];

/**
 * Seller accounts: their sync and its last run, add one (its credentials are sent once and never
 * shown again: the API does not return them), enable or disable its sync, sync now and follow the run.
 */
export function Accounts() {
  const accounts = usePolling((signal) => ok(api.GET('/api/v1/accounts', { params: { query: { limit: 100 } }, signal })), []);
  // Newest first: the first run of an account in this page is its last one.
  const runs = usePolling((signal) => ok(api.GET('/api/v1/sync-runs', { params: { query: { limit: 200 } }, signal })), []);
  const { may, limited } = useAllowed();
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<Account | undefined>();
  const [following, setFollowing] = useState<{ account: Account; runId: string; alreadyRunning: boolean } | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [failure, setFailure] = useState<{ action: string; error: ApiError } | undefined>();
  const [tested, setTested] = useState<string | undefined>();

  const lastRun = (accountId: string) => runs.data?.items.find((run) => run.accountId === accountId);

  const act = async (key: string, action: string, call: () => Promise<void>) => {
    setBusy(key);
    setFailure(undefined);
    try {
      await call();
      accounts.reload();
      runs.reload();
    } catch (err) {
      setFailure({ action, error: err as ApiError });
    } finally {
      setBusy(undefined);
    }
  };

  const toggle = (account: Account) =>
    act(`toggle-${account.id}`, `Sync of ${account.name} not changed`, async () => {
      await ok(api.PATCH('/api/v1/accounts/{id}', { params: { path: { id: account.id } }, body: { syncEnabled: !account.syncEnabled } }));
    });

  // A connection test that changes nothing: Amazon's Sellers API asked with the account's credentials (its token exchange included).
  const testConnection = (account: Account) =>
    act(`test-${account.id}`, `The connection of ${account.name} does not work`, async () => {
      setTested(undefined);
      const answer = await ok(api.POST('/api/v1/accounts/{id}/marketplaces/refresh', { params: { path: { id: account.id } } }));
      const active = answer.items.filter((marketplace) => marketplace.active).length;
      setTested(`The connection of ${account.name} works: Amazon names ${answer.items.length} marketplace${answer.items.length === 1 ? '' : 's'} for the seller, ${active} active.`);
    });

  const syncNow = (account: Account) =>
    act(`sync-${account.id}`, `${account.name} not synced`, async () => {
      const requested = await ok(api.POST('/api/v1/accounts/{id}/sync', { params: { path: { id: account.id } } }));
      setFollowing({ account, runId: requested.runId, alreadyRunning: requested.alreadyRunning });
    });

  return (
    <>
      <PageHeader title="Seller accounts">
        <Updated at={accounts.updatedAt} loading={accounts.loading} />
        {!adding && may('admin') && !limited && (
          <Button
            onClick={() => {
              setAdded(undefined);
              setAdding(true);
            }}
          >
            Add an account
          </Button>
        )}
      </PageHeader>
      <ErrorNotice error={accounts.error} action="Cannot read the accounts" />
      <ErrorNotice error={failure?.error} action={failure?.action} />
      {adding && (
        <AddAccount
          onCancel={() => setAdding(false)}
          onAdded={(account) => {
            setAdding(false);
            setAdded(account);
            accounts.reload();
          }}
        />
      )}
      <Status tone="success">
        {added && `Account ${added.name} added${added.syncEnabled ? `: it syncs every ${added.syncIntervalSeconds} s` : ', its sync off'}. Its credentials are kept by the connector and not shown again.`}
      </Status>
      <Status tone="success">{tested}</Status>
      {following && <FollowRun key={following.runId} {...following} onEnded={() => {
            accounts.reload();
            runs.reload();
          }} onClose={() => setFollowing(undefined)} />}

      {accounts.data && accounts.data.items.length === 0 && <p className="muted">No seller account yet. Add one with its credentials from Seller Central.</p>}
      {accounts.data && accounts.data.items.length > 0 && (
        <Table caption="Seller accounts">
          <thead>
            <tr>
              <th>Name</th>
              <th>Seller id</th>
              <th>Marketplaces</th>
              <th>Sync</th>
              <th>Synced until</th>
              <th>Last run</th>
              <ActionsHeader label="Actions" />
            </tr>
          </thead>
          <tbody>
            {accounts.data.items.map((account) => {
              const run = lastRun(account.id);
              return (
                <tr key={account.id}>
                  <td>
                    <Link to={`/orders?accountId=${account.id}`}>{account.name}</Link>
                    <div className="muted">{account.region}</div>
                  </td>
                  <td>{account.sellerId}</td>
                  <td>{account.marketplaceIds.join(', ')}</td>
                  <td>
                    <Badge value={account.syncEnabled ? 'on' : 'off'} />
                    <div className="muted">every {account.syncIntervalSeconds} s</div>
                  </td>
                  <td>{dateTime(account.lastSyncedUntil)}</td>
                  <td>
                    {run ? (
                      <>
                        <Badge value={run.status} />
                        <div className="muted">{dateTime(run.finishedAt ?? run.startedAt ?? run.requestedAt)}</div>
                        {run.errors.length > 0 && <div className="field-error cell-note">{run.errors.join('; ')}</div>}
                      </>
                    ) : (
                      <span className="muted">none yet</span>
                    )}
                    {account.orderNotifications?.lastError && <div className="field-error cell-note">Order notifications: {account.orderNotifications.lastError}</div>}
                  </td>
                  <td>
                    <div className="actions">
                      {may('operate') && (
                        <Button variant="secondary" busy={busy === `sync-${account.id}`} onClick={() => void syncNow(account)} aria-label={`Sync ${account.name} now`}>
                          Sync now
                        </Button>
                      )}
                      {may('operate') && (
                        <Button variant="quiet" busy={busy === `test-${account.id}`} onClick={() => void testConnection(account)} aria-label={`Test the connection of ${account.name}`}>
                          Test connection
                        </Button>
                      )}
                      {may('admin') && (
                        <Button variant="quiet" busy={busy === `toggle-${account.id}`} onClick={() => void toggle(account)} aria-label={`${account.syncEnabled ? 'Disable' : 'Enable'} the sync of ${account.name}`}>
                          {account.syncEnabled ? 'Disable' : 'Enable'}
                        </Button>
                      )}
                      {run && following?.runId !== run.id && (
                        <Button variant="quiet" onClick={() => setFollowing({ account, runId: run.id, alreadyRunning: false })} aria-label={`Show the last run of ${account.name}`}>
                          Last run
                        </Button>
                      )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </Table>
      )}
      <p className="muted">
        Read again every {POLL_SECONDS} s. <em>Test connection</em> asks Amazon's Sellers API for the seller's marketplaces with the account's credentials and changes nothing else; <em>Sync now</em> runs a sync, and its run says what Amazon answered.
      </p>
    </>
  );
}

/** A run's progress, read every second until it ends, then kept on the page with its counts and errors. */
function FollowRun({ account, runId, alreadyRunning, onEnded, onClose }: { account: Account; runId: string; alreadyRunning: boolean; onEnded: () => void; onClose: () => void }) {
  const [ended, setEnded] = useState(false);
  const live = usePolling(
    async (signal) => {
      const run = await ok(api.GET('/api/v1/accounts/{id}/sync-runs/{runId}', { params: { path: { id: account.id, runId } }, signal }));
      if (!ended && (run.status === 'succeeded' || run.status === 'failed')) {
        setEnded(true);
        onEnded();
      }
      return run;
    },
    [runId, ended],
    ended ? 3600 : RUN_POLL_SECONDS,
  );
  const run = live.data;
  return (
    <section className="card" aria-labelledby={`run-${runId}`}>
      <div className="page-header">
        <h2 id={`run-${runId}`}>
          Sync run of {account.name}
          {alreadyRunning ? ' (already under way)' : ''}
        </h2>
        <Button variant="quiet" onClick={onClose}>
          Close
        </Button>
      </div>
      <ErrorNotice error={live.error} action="Cannot read the run" />
      {run && (
        <>
          <div role="status" aria-live="polite" className="run-status">
            <Badge value={run.status} /> {runSummary(run)}
          </div>
          <dl className="facts">
            <dt>Asked for</dt>
            <dd>
              {dateTime(run.requestedAt)} <span className="muted">({run.trigger})</span>
            </dd>
            <dt>Window</dt>
            <dd>
              {dateTime(run.windowFrom)} to {dateTime(run.windowTo)}
            </dd>
            <dt>Pages</dt>
            <dd>
              {run.pagesFetched} read, {run.pagesCommitted} written
            </dd>
            <dt>Calls to Amazon</dt>
            <dd>
              {run.apiCalls}
              {run.throttled > 0 && `, ${run.throttled} refused for its rate limits`}
              {run.rateLimitWaits > 0 && `, ${run.rateLimitWaits} waited ${run.rateLimitWaitSeconds.toFixed(1)} s in all`}
            </dd>
            <dt>Finished</dt>
            <dd>{dateTime(run.finishedAt)}</dd>
          </dl>
          {run.errors.length > 0 && (
            <div className="notice notice-error">
              <strong>Errors:</strong>
              <ul>
                {run.errors.map((error, i) => (
                  <li key={i}>{error}</li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function runSummary(run: SyncRun): string {
  const counts = `${run.ordersSeen} orders read: ${run.ordersCreated} new, ${run.ordersUpdated} changed, ${run.ordersUnchanged} unchanged, ${run.ordersQuarantined} quarantined`;
  switch (run.status) {
    case 'queued':
      return 'waiting for a replica to take the account…';
    case 'running':
      return `${run.step ?? 'running'}; ${counts}`;
    default:
      return counts;
  }
}

interface Draft {
  name: string;
  sellerId: string;
  region: NewAccount['region'];
  marketplaceIds: string[];
  lwaClientId: string;
  lwaClientSecret: string;
  refreshToken: string;
  syncEnabled: boolean;
  syncIntervalSeconds: string;
  initialSyncFrom: string;
  apiEndpoint: string;
  lwaEndpoint: string;
}

const EMPTY: Draft = {
  name: '',
  sellerId: '',
  region: 'EU',
  marketplaceIds: [],
  lwaClientId: '',
  lwaClientSecret: '',
  refreshToken: '',
  syncEnabled: true,
  syncIntervalSeconds: '',
  initialSyncFrom: '',
  apiEndpoint: '',
  lwaEndpoint: '',
};

/**
 * The form of a new account. The API checks it (a 400 names each field, shown next to it); the
 * secrets leave the page's memory as soon as the account is added or the form is closed.
 */
function AddAccount({ onAdded, onCancel }: { onAdded: (account: Account) => void; onCancel: () => void }) {
  const marketplaces = usePolling(async (signal) => (await ok(api.GET('/api/v1/marketplaces', { signal }))).items, [], 300);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const set = <K extends keyof Draft>(name: K, value: Draft[K]) => setDraft((d) => ({ ...d, [name]: value }));
  const text = (name: keyof Draft) => ({ value: draft[name] as string, onChange: (e: { target: { value: string } }) => set(name, e.target.value as never), error: fieldError(error, name) });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const body: NewAccount = {
      name: draft.name.trim(),
      sellerId: draft.sellerId.trim(),
      region: draft.region,
      marketplaceIds: draft.marketplaceIds,
      lwaClientId: draft.lwaClientId.trim(),
      lwaClientSecret: draft.lwaClientSecret,
      refreshToken: draft.refreshToken,
      syncEnabled: draft.syncEnabled,
    };
    // Left empty, the API's defaults apply (Amazon's endpoints of the region, every 5 minutes, from 30 days ago).
    if (draft.syncIntervalSeconds.trim()) body.syncIntervalSeconds = Number(draft.syncIntervalSeconds);
    if (draft.initialSyncFrom) body.initialSyncFrom = new Date(draft.initialSyncFrom).toISOString();
    if (draft.apiEndpoint.trim()) body.apiEndpoint = draft.apiEndpoint.trim();
    if (draft.lwaEndpoint.trim()) body.lwaEndpoint = draft.lwaEndpoint.trim();
    try {
      const account = await ok(api.POST('/api/v1/accounts', { body }));
      setDraft(EMPTY);
      onAdded(account);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  const ofRegion = (marketplaces.data ?? []).filter((m) => m.region === draft.region);
  return (
    <section className="card" aria-labelledby="add-account">
      <h2 id="add-account">Add a seller account</h2>
      <form className="form-row" onSubmit={(event) => void submit(event)} aria-labelledby="add-account" autoComplete="off">
        <Field label="Name" required {...text('name')} hint="Yours, to tell accounts apart" />
        <Field label="Seller id" required {...text('sellerId')} hint="Merchant token from Seller Central, A2EUQ1WTGCTBG2 say" />
        <Select
          label="Region"
          value={draft.region}
          onChange={(e) => setDraft((d) => ({ ...d, region: e.target.value as Draft['region'], marketplaceIds: [] }))}
          options={REGIONS.map((r) => ({ value: r, label: r }))}
          error={fieldError(error, 'region')}
        />
        <div className="full-row">
          <Checkboxes
            legend="Marketplaces"
            options={ofRegion.map((m) => ({ value: m.marketplaceId, label: `${m.name} (${m.marketplaceId})` }))}
            value={draft.marketplaceIds}
            onChange={(ids) => set('marketplaceIds', ids)}
            error={fieldError(error, 'marketplaceIds')}
            hint={marketplaces.data ? `Those of the ${draft.region} region whose orders are synced` : 'Loading the marketplaces…'}
          />
        </div>
        <Field label="LWA client id" required {...text('lwaClientId')} hint="Of your SP-API app" />
        <Field label="LWA client secret" required type="password" autoComplete="new-password" {...text('lwaClientSecret')} hint="Sent once; never shown again" />
        <Field label="Refresh token" required type="password" autoComplete="new-password" {...text('refreshToken')} hint="Atzr|…, from the seller's authorisation; never shown again" />
        <Field label="Sync every (seconds)" type="number" min={60} max={86400} {...text('syncIntervalSeconds')} hint="60 to 86400; empty: 300" />
        <Field label="First orders from" type="datetime-local" {...text('initialSyncFrom')} hint="Empty: 30 days ago" />
        <div className="field">
          <Checkbox label="Sync on a schedule" checked={draft.syncEnabled} onChange={(e) => set('syncEnabled', e.target.checked)} />
        </div>
        <details className="advanced" open={Boolean(fieldError(error, 'apiEndpoint', 'lwaEndpoint')) || undefined}>
          <summary>Endpoints (a sandbox, a proxy)</summary>
          <div className="form-row">
            <Field label="SP-API endpoint" type="url" {...text('apiEndpoint')} hint="Empty: Amazon's of the region" />
            <Field label="LWA token endpoint" type="url" {...text('lwaEndpoint')} hint="Empty: https://api.amazon.com/auth/o2/token" />
          </div>
        </details>
        <div className="full-row actions">
          <Button type="submit" busy={busy}>
            Add the account
          </Button>
          <Button
            type="button"
            variant="secondary"
            onClick={() => {
              setDraft(EMPTY);
              onCancel();
            }}
          >
            Cancel
          </Button>
        </div>
        <div className="full-row">
          <ErrorNotice error={error} action="Account not added" />
        </div>
      </form>
    </section>
  );
}
