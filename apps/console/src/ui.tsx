import { useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import type { ApiError } from './api/client';

/** The console's few components: they carry the labels, focus and live regions so pages need not. */

export function Button({ variant = 'primary', busy, children, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'quiet'; busy?: boolean }) {
  return (
    <button className={`button button-${variant}`} aria-busy={busy || undefined} disabled={busy || props.disabled} {...props}>
      {children}
    </button>
  );
}

/** A labelled input; `error` (the API's words for this field) is tied to it with aria-describedby. */
export function Field({ label, error, hint, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; error?: string; hint?: string }) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...props} />
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

export function Select({ label, options, error, ...props }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; options: { value: string; label: string }[]; error?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...props}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </div>
  );
}

/** A group of checkboxes with its legend; `error` (the API's words for the group's field) read with it. */
export function Checkboxes({ legend, options, value, onChange, error, hint }: { legend: string; options: { value: string; label: string }[]; value: string[]; onChange: (value: string[]) => void; error?: string; hint?: string }) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <fieldset className="field checkboxes" aria-invalid={error ? true : undefined} aria-describedby={describedBy}>
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="checkbox">
          <input
            type="checkbox"
            checked={value.includes(option.value)}
            onChange={(e) => onChange(e.target.checked ? [...value, option.value] : value.filter((v) => v !== option.value))}
          />{' '}
          {option.label}
        </label>
      ))}
      {hint && <small id={`${id}-hint`}>{hint}</small>}
      {error && (
        <small id={`${id}-error`} className="field-error">
          {error}
        </small>
      )}
    </fieldset>
  );
}

/** One checkbox with its label beside it. */
export function Checkbox({ label, ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string }) {
  return (
    <label className="checkbox">
      <input type="checkbox" {...props} /> {label}
    </label>
  );
}

/** The API's words for one field of a 400 (nested fields count for their parent: `marketplaceIds.0`). */
export function fieldError(error: ApiError | undefined, ...names: string[]): string | undefined {
  const found = error?.fields.filter((f) => names.some((name) => f.field === name || f.field.startsWith(`${name}.`)));
  return found?.length ? found.flatMap((f) => f.errors).join('; ') : undefined;
}

/** An API error in words: what the gateway said, each failing field, the status. Announced at once. */
export function ErrorNotice({ error, action }: { error: ApiError | undefined; action?: string }) {
  if (!error) return null;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{action ? `${action}: ` : ''}</strong>
      {error.detail}
      {error.status > 0 && <span className="muted"> ({error.status} {error.title})</span>}
      {error.fields.length > 0 && (
        <ul>
          {error.fields.map((field) => (
            <li key={field.field}>
              <code>{field.field}</code>: {field.errors.join('; ')}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * Good news and progress, read out politely by screen readers. Keep it mounted, empty until there is
 * something to say: screen readers often miss a live region that appears with its words already in it.
 */
export function Status({ children, tone = 'info' }: { children?: ReactNode; tone?: 'info' | 'success' | 'warning' }) {
  const said = children !== undefined && children !== null && children !== false && children !== '';
  return (
    <div className={said ? `notice notice-${tone}` : undefined} role="status" aria-live="polite">
      {said ? children : null}
    </div>
  );
}

const TONE: Record<string, 'good' | 'bad' | 'wait' | 'neutral'> = {
  ok: 'good', up: 'good', sent: 'good', done: 'good', shipped: 'good', confirmed: 'neutral', ready: 'wait', pending: 'wait',
  partially_shipped: 'wait', degraded: 'wait', failed: 'bad', overdue: 'bad', down: 'bad', error: 'bad', canceled: 'neutral', on: 'good', off: 'neutral',
  queued: 'wait', running: 'wait', succeeded: 'good', subscribed: 'good', parked: 'bad', discarded: 'neutral', replayed: 'good', revoked: 'neutral',
};

export function Badge({ value }: { value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return <span className={`badge badge-${TONE[value] ?? 'neutral'}`}>{value.replace(/_/g, ' ')}</span>;
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1 tabIndex={-1}>{title}</h1>
      {children && <div className="page-actions">{children}</div>}
    </header>
  );
}

/** A table that scrolls sideways on a phone rather than the whole page. */
/** The header cell of a column of row buttons: named for screen readers, blank on screen. */
export function ActionsHeader({ label = 'Action' }: { label?: string }) {
  return (
    <th>
      <span className="visually-hidden">{label}</span>
    </th>
  );
}

export function Table({ caption, children }: { caption: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        {children}
      </table>
    </div>
  );
}

export function Updated({ at, loading }: { at: Date | undefined; loading: boolean }) {
  return <span className="muted updated">{loading && !at ? 'Loading…' : at ? `Updated ${at.toLocaleTimeString()}` : ''}</span>;
}

export const dateTime = (value: string | null | undefined) => (value ? new Date(value).toLocaleString() : '—');
