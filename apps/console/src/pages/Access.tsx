import { useState, type FormEvent } from 'react';
import { api, ApiError, ok, type ApiKey, type AuditEntry, type Schemas } from '../api/client';
import { POLL_SECONDS, usePolling } from '../live';
import { ActionsHeader, Badge, Button, Checkbox, Checkboxes, dateTime, ErrorNotice, Field, fieldError, PageHeader, Select, Status, Table, Updated } from '../ui';

type Scope = Schemas['ApiKeyView']['scopes'][number];
type Method = NonNullable<NonNullable<import('../api/schema').paths['/api/v1/audit']['get']['parameters']['query']>['method']>;
const SCOPES: { value: Scope; label: string }[] = [
  { value: 'read', label: 'read: see everything' },
  { value: 'operate', label: 'operate: sync, validate, retry' },
  { value: 'admin', label: 'admin: accounts, keys, audit' },
];
const AUDIT_PAGE = 50;

/** API keys (admin): make one (its key shown once), revoke one; and the audit log of changes made through the API. */
export function Access() {
  const [includeRevoked, setIncludeRevoked] = useState(false);
  const keys = usePolling((signal) => ok(api.GET('/api/v1/keys', { params: { query: { includeRevoked, limit: 200 } }, signal })), [includeRevoked]);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<Schemas['CreatedApiKeyView'] | undefined>();
  const [confirming, setConfirming] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [outcome, setOutcome] = useState<{ text: string } | { action: string; error: ApiError } | undefined>();

  const revoke = async (key: ApiKey) => {
    setBusy(key.id);
    setOutcome(undefined);
    try {
      await ok(api.DELETE('/api/v1/keys/{id}', { params: { path: { id: key.id } } }));
      setOutcome({ text: `Key ${key.name} revoked: every gateway refuses it within seconds.` });
      setConfirming(undefined);
      keys.reload();
    } catch (err) {
      setOutcome({ action: `Key ${key.name} not revoked`, error: err as ApiError });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <PageHeader title="API keys and audit">
        <Updated at={keys.updatedAt} loading={keys.loading} />
        {!creating && (
          <Button
            onClick={() => {
              setCreated(undefined);
              setCreating(true);
            }}
          >
            Make a key
          </Button>
        )}
      </PageHeader>
      <ErrorNotice error={keys.error} action="Cannot read the keys" />
      {outcome && 'error' in outcome && <ErrorNotice error={outcome.error} action={outcome.action} />}
      <Status tone="success">{outcome && 'text' in outcome && outcome.text}</Status>
      {creating && (
        <MakeKey
          onCancel={() => setCreating(false)}
          onMade={(key) => {
            setCreating(false);
            setCreated(key);
            keys.reload();
          }}
        />
      )}
      {created && (
        <section className="card" aria-labelledby="new-key">
          <h2 id="new-key">Key {created.name} made</h2>
          <Status tone="warning">Copy it now: it is shown this once (the gateway keeps only its hash).</Status>
          <Field label="The new key" readOnly value={created.key} onFocus={(e) => e.target.select()} />
          <Button variant="secondary" onClick={() => setCreated(undefined)}>
            Done, forget it
          </Button>
        </section>
      )}

      <div className="form-row">
        <div className="field">
          <Checkbox label="Show revoked keys" checked={includeRevoked} onChange={(e) => setIncludeRevoked(e.target.checked)} />
        </div>
      </div>
      {keys.data && (
        <Table caption="API keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Starts with</th>
              <th>Scopes</th>
              <th>Accounts</th>
              <th>Made</th>
              <ActionsHeader />
            </tr>
          </thead>
          <tbody>
            {keys.data.items.map((key) => (
              <tr key={key.id}>
                <td>
                  {key.name} {key.revokedAt && <Badge value="revoked" />}
                </td>
                <td>
                  <code>{key.keyPrefix}…</code>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td className="wrap">{key.accountIds ? key.accountIds.length : 'every account'}</td>
                <td>
                  {dateTime(key.createdAt)} <span className="muted">by {key.createdBy}</span>
                </td>
                <td>
                  {key.revokedAt ? (
                    <span className="muted">revoked {dateTime(key.revokedAt)}</span>
                  ) : confirming === key.id ? (
                    <div className="actions" role="group" aria-label={`Revoke key ${key.name}?`}>
                      <Button busy={busy === key.id} onClick={() => void revoke(key)} aria-label={`Yes, revoke key ${key.name}`}>
                        Yes, revoke
                      </Button>
                      <Button variant="secondary" onClick={() => setConfirming(undefined)}>
                        Keep it
                      </Button>
                    </div>
                  ) : (
                    <Button variant="secondary" onClick={() => setConfirming(key.id)} aria-label={`Revoke key ${key.name}`}>
                      Revoke…
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <AuditLog keys={keys.data?.items ?? []} />
    </>
  );
}

function MakeKey({ onMade, onCancel }: { onMade: (key: Schemas['CreatedApiKeyView']) => void; onCancel: () => void }) {
  const accounts = usePolling(async (signal) => (await ok(api.GET('/api/v1/accounts', { params: { query: { limit: 100 } }, signal }))).items, [], 60);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>(['read']);
  const [accountIds, setAccountIds] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // No account ticked: the key is for every account.
      const body: Schemas['CreateApiKeyRequest'] = { name: name.trim(), scopes: scopes as Scope[], ...(accountIds.length ? { accountIds } : {}) };
      onMade(await ok(api.POST('/api/v1/keys', { body })));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="make-key">
      <h2 id="make-key">Make an API key</h2>
      <form className="form-row" onSubmit={(event) => void submit(event)} aria-labelledby="make-key">
        <Field label="Key name" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} hint="Who or what uses it: warehouse scanner, ERP…" />
        <div className="full-row">
          <Checkboxes legend="Scopes" options={SCOPES} value={scopes} onChange={setScopes} error={fieldError(error, 'scopes')} />
        </div>
        <div className="full-row">
          <Checkboxes
            legend="Accounts"
            options={(accounts.data ?? []).map((a) => ({ value: a.id, label: `${a.name} (${a.sellerId})` }))}
            value={accountIds}
            onChange={setAccountIds}
            error={fieldError(error, 'accountIds')}
            hint="None ticked: every account"
          />
        </div>
        <div className="full-row actions">
          <Button type="submit" busy={busy}>
            Make the key
          </Button>
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
        <div className="full-row">
          <ErrorNotice error={error} action="Key not made" />
        </div>
      </form>
    </section>
  );
}

/** Changes made through the API, newest first, by key and method; "Older" reads the next page. */
function AuditLog({ keys }: { keys: ApiKey[] }) {
  const [keyId, setKeyId] = useState('');
  const [method, setMethod] = useState<Method | ''>('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const live = usePolling(
    (signal) => ok(api.GET('/api/v1/audit', { params: { query: { limit: AUDIT_PAGE, cursor, keyId: keyId || undefined, method: method || undefined } }, signal })),
    [keyId, method, cursor],
  );
  const filter = (apply: () => void) => {
    apply();
    setCursors([undefined]);
  };
  return (
    <>
      <h2>Audit log</h2>
      <div className="form-row">
        <Select label="Key" value={keyId} onChange={(e) => filter(() => setKeyId(e.target.value))} options={[{ value: '', label: 'Every key' }, ...keys.map((k) => ({ value: k.id, label: k.name }))]} />
        <Select
          label="Method"
          value={method}
          onChange={(e) => filter(() => setMethod(e.target.value as Method | ''))}
          options={[{ value: '', label: 'Every change' }, ...(['POST', 'PUT', 'PATCH', 'DELETE'] as const).map((m) => ({ value: m, label: m }))]}
        />
        <Updated at={live.updatedAt} loading={live.loading} />
      </div>
      <ErrorNotice error={live.error} action="Cannot read the audit log" />
      {live.data && live.data.items.length === 0 && <p className="muted">No change recorded{keyId || method ? ' that matches' : ''}.</p>}
      {live.data && live.data.items.length > 0 && (
        <Table caption="Audit log, newest first">
          <thead>
            <tr>
              <th>When</th>
              <th>Key</th>
              <th>What</th>
              <th>Request</th>
              <th className="number">Status</th>
              <th>Changes</th>
            </tr>
          </thead>
          <tbody>
            {live.data.items.map((entry: AuditEntry) => (
              <tr key={entry.id}>
                <td>{dateTime(entry.at)}</td>
                <td>{entry.keyName}</td>
                <td>{entry.action}</td>
                <td>
                  <code>
                    {entry.method} {entry.path}
                  </code>
                </td>
                <td className="number">{entry.status}</td>
                <td className="wrap">
                  <code>{entry.changes && Object.keys(entry.changes).length ? JSON.stringify(entry.changes) : ''}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <div className="pager">
        <Button variant="secondary" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </Button>
        <Button variant="secondary" disabled={!live.data?.nextCursor} onClick={() => setCursors([...cursors, live.data?.nextCursor])}>
          Older
        </Button>
      </div>
      <p className="muted">Read again every {POLL_SECONDS} s.</p>
    </>
  );
}
