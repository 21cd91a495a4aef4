import { useEffect, useState, type AnchorHTMLAttributes, type MouseEvent } from 'react';

/**
 * A router of a few lines: the console's pages are real paths (/orders/<id>), which the gateway
 * answers with index.html, so a link can be shared and the browser's back button works.
 */
const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((listener) => listener()));

/** `state` is kept with this history entry (back and forward bring it again), never in the address. */
export function navigate(to: string, replace = false, state: object | null = null): void {
  if (replace) history.replaceState(state, '', to);
  else history.pushState(state, '', to);
  listeners.forEach((listener) => listener());
  window.scrollTo(0, 0);
}

/** The address, read again on every navigation (even one that changes only the entry's state). */
export function useLocation(): URL {
  const [, setVisits] = useState(0);
  useEffect(() => {
    const listener = () => setVisits((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return new URL(window.location.href);
}

/** What the page keeps in this history entry and not in its address (history.state). */
export function entryState<T extends object>(): Partial<T> {
  return (history.state ?? {}) as Partial<T>;
}

/** A part of the path as it was before encoding, or undefined when it is malformed (`/orders/%`). */
export function decodedPart(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function Link({ to, ...props }: AnchorHTMLAttributes<HTMLAnchorElement> & { to: string }) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    // A new tab or window (ctrl, meta, shift, middle button) is the browser's own.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={onClick} {...props} />;
}
