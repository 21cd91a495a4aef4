import { useState, type FormEvent } from 'react';
import { api, ApiError, ok, type Marketplace, type Schemas } from '../api/client';
import { useAllowed } from '../caller';
import { usePolling } from '../live';
import { Badge, Button, Checkbox, ErrorNotice, Field, fieldError, PageHeader, Select, Status, Table, Updated } from '../ui';

type NewMarketplace = Schemas['CreateMarketplaceRequest'];
const REGIONS: NewMarketplace['region'][] = ['EU', 'NA', 'FE'];
const EMPTY: NewMarketplace = { marketplaceId: '', name: '', countryCode: '', region: 'EU', currency: '', domain: '', taxIncluded: true };
/** Marketplaces change seldom (an admin adds one): read again every minute. */
const MARKETPLACES_SECONDS = 60;

/** Amazon's marketplaces the connector knows (built in, or added by an admin for a new one). */
export function Marketplaces() {
  const { may, limited } = useAllowed();
  const live = usePolling((signal) => ok(api.GET('/api/v1/marketplaces', { params: { query: { limit: 500 } }, signal })), [], MARKETPLACES_SECONDS);
  const [adding, setAdding] = useState(false);
  const [added, setAdded] = useState<Marketplace | undefined>();

  return (
    <>
      <PageHeader title="Marketplaces">
        <Updated at={live.updatedAt} loading={live.loading} />
        {!adding && may('admin') && !limited && (
          <Button
            onClick={() => {
              setAdded(undefined);
              setAdding(true);
            }}
          >
            Add a marketplace
          </Button>
        )}
      </PageHeader>
      <ErrorNotice error={live.error} action="Cannot read the marketplaces" />
      {adding && (
        <AddMarketplace
          onCancel={() => setAdding(false)}
          onAdded={(marketplace) => {
            setAdding(false);
            setAdded(marketplace);
            live.reload();
          }}
        />
      )}
      <Status tone="success">{added && `Marketplace ${added.name} (${added.marketplaceId}) added: accounts of region ${added.region} may sell on it.`}</Status>
      {live.data && (
        <Table caption="Marketplaces">
          <thead>
            <tr>
              <th>Marketplace id</th>
              <th>Name</th>
              <th>Country</th>
              <th>Region</th>
              <th>Currency</th>
              <th>Domain</th>
              <th>Prices</th>
              <th>Origin</th>
            </tr>
          </thead>
          <tbody>
            {live.data.items.map((m) => (
              <tr key={m.marketplaceId}>
                <td>
                  <code>{m.marketplaceId}</code>
                </td>
                <td>{m.name}</td>
                <td>{m.countryCode}</td>
                <td>{m.region}</td>
                <td>{m.currency}</td>
                <td>{m.domain}</td>
                <td>{m.taxIncluded ? 'tax included' : 'tax added'}</td>
                <td>{m.builtIn ? 'built in' : <Badge value="added" />}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </>
  );
}

/** A marketplace Amazon opened after this release: the API checks each field (a 400 names them). */
function AddMarketplace({ onAdded, onCancel }: { onAdded: (marketplace: Marketplace) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<NewMarketplace>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const text = (name: 'marketplaceId' | 'name' | 'countryCode' | 'currency' | 'domain') => ({
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [name]: e.target.value })),
    error: fieldError(error, name),
  });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = { ...draft, marketplaceId: draft.marketplaceId.trim(), name: draft.name.trim(), countryCode: draft.countryCode.trim(), currency: draft.currency.trim(), domain: draft.domain.trim() };
      onAdded(await ok(api.POST('/api/v1/marketplaces', { body })));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="add-marketplace">
      <h2 id="add-marketplace">Add a marketplace</h2>
      <form className="form-row" onSubmit={(event) => void submit(event)} aria-labelledby="add-marketplace" autoComplete="off">
        <Field label="Marketplace id" required {...text('marketplaceId')} hint="Amazon's, A2NODRKZP88ZB9 say" />
        <Field label="Name" required {...text('name')} hint="Amazon.se say" />
        <Field label="Country code" required {...text('countryCode')} hint="ISO 3166-1, SE say" />
        <Select
          label="Region"
          value={draft.region}
          onChange={(e) => setDraft((d) => ({ ...d, region: e.target.value as NewMarketplace['region'] }))}
          options={REGIONS.map((r) => ({ value: r, label: r }))}
          error={fieldError(error, 'region')}
        />
        <Field label="Currency" required {...text('currency')} hint="ISO 4217, SEK say" />
        <Field label="Domain" required {...text('domain')} hint="amazon.se say" />
        <Checkbox label="Prices include tax" checked={draft.taxIncluded} onChange={(e) => setDraft((d) => ({ ...d, taxIncluded: e.target.checked }))} />
        <ErrorNotice error={error} action="Marketplace not added" />
        <div className="page-actions">
          <Button type="submit" busy={busy}>
            Add the marketplace
          </Button>
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
        </div>
      </form>
    </section>
  );
}
