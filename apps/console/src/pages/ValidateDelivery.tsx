import { useState, type FormEvent } from 'react';
import { api, ApiError, ok, type Delivery } from '../api/client';
import { Button, Checkbox, ErrorNotice, Field, Status } from '../ui';

/** The delivery's units per Amazon order item (a line may have more than one move). */
function unitsPerItem(delivery: Delivery): [string, number][] {
  const units = new Map<string, number>();
  for (const move of delivery.moves) if (move.orderItemId) units.set(move.orderItemId, (units.get(move.orderItemId) ?? 0) + move.quantity);
  return [...units];
}

/**
 * Validate a ready delivery with its carrier and tracking number: the whole delivery ships, or (a
 * partial shipment, one package) the quantities chosen per line; the rest stays to ship in a
 * backorder delivery, validated later with its own package. Amazon is told by itself.
 */
export function ValidateDelivery({ delivery, onValidated }: { delivery: Delivery; onValidated: (delivery: Delivery) => void }) {
  const [carrier, setCarrier] = useState('');
  const [trackingNumber, setTrackingNumber] = useState('');
  const items = unitsPerItem(delivery);
  const [partial, setPartial] = useState(false);
  const [quantities, setQuantities] = useState<Record<string, string>>(() => Object.fromEntries(items.map(([id, units]) => [id, String(units)])));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const fieldError = (name: string) =>
    error?.fields
      .filter((f) => f.field === name || f.field.startsWith(`${name}.`))
      .flatMap((f) => f.errors)
      .join('; ') || undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      // An empty quantity is sent as it is: the API names the line that is wrong.
      const lines = partial ? items.map(([orderItemId]) => ({ orderItemId, quantity: quantities[orderItemId].trim() === '' ? Number.NaN : Number(quantities[orderItemId]) })) : undefined;
      const body = { carrier: carrier.trim(), trackingNumber: trackingNumber.trim(), ...(lines ? { lines } : {}) };
      const validated = await ok(api.POST('/api/v1/deliveries/{id}/validate', { params: { path: { id: delivery.id } }, body }));
      onValidated(validated);
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form-row" onSubmit={(event) => void submit(event)} aria-label={`Validate delivery ${delivery.packageReferenceId ?? delivery.id}`}>
      <Field label="Carrier" required value={carrier} onChange={(e) => setCarrier(e.target.value)} hint="Amazon's code (DHL, UPS…) or your own name for it" error={fieldError('carrier') ?? fieldError('carrierCode')} />
      <Field label="Tracking number" required value={trackingNumber} onChange={(e) => setTrackingNumber(e.target.value)} error={fieldError('trackingNumber')} />
      {items.length > 0 && (
        <div className="full-row">
          <Checkbox label="Ship only some items in this package" checked={partial} onChange={(e) => setPartial(e.target.checked)} />
        </div>
      )}
      {partial &&
        items.map(([orderItemId, units], index) => (
          <Field
            key={orderItemId}
            label={`Units of item ${orderItemId} in this package (of ${units})`}
            type="number"
            min={0}
            max={units}
            step={1}
            required
            value={quantities[orderItemId]}
            onChange={(e) => setQuantities((q) => ({ ...q, [orderItemId]: e.target.value }))}
            error={fieldError(`lines.${index}`)}
          />
        ))}
      <Button type="submit" busy={busy}>
        Validate delivery
      </Button>
      <div className="full-row">
        <ErrorNotice error={error} action="Not validated" />
      </div>
    </form>
  );
}

/** Said once a delivery is validated, where it was: the delivery itself leaves the ready ones. Mounted (empty) before. */
export function Validated({ delivery }: { delivery: Delivery | undefined }) {
  return <Status tone="success">{delivery && `Delivery validated: ${delivery.carrierName ?? delivery.carrierCode} ${delivery.trackingNumber}. Amazon is being told.`}</Status>;
}
