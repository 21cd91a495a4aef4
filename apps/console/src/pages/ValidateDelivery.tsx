import { useState, type FormEvent } from 'react';
import { api, ApiError, ok, type Delivery } from '../api/client';
import { Button, ErrorNotice, Field, Status } from '../ui';

/**
 * Validate a ready delivery with its carrier and tracking number: the whole delivery ships (a
 * partial shipment, with lines, is the API's and the CLI's for now). Amazon is told by itself.
 */
export function ValidateDelivery({ delivery, onValidated }: { delivery: Delivery; onValidated: (delivery: Delivery) => void }) {
  const [carrier, setCarrier] = useState('');
  const [trackingNumber, setTrackingNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const fieldError = (name: string) => error?.fields.find((f) => f.field === name)?.errors.join('; ');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const validated = await ok(api.POST('/api/v1/deliveries/{id}/validate', { params: { path: { id: delivery.id } }, body: { carrier: carrier.trim(), trackingNumber: trackingNumber.trim() } }));
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
