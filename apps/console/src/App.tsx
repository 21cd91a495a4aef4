import { Component, useEffect, useState, type ErrorInfo, type ReactNode } from 'react';
import { api, ApiError, ok, session, whenKeyRefused, type Caller } from './api/client';
import { allowedFor, AllowedContext, type Allowed, type Scope } from './caller';
import { decodedPart, Link, navigate, useLocation } from './router';
import { Button, ErrorNotice, PageHeader } from './ui';
import { SignIn } from './pages/SignIn';
import { Home } from './pages/Home';
import { Orders } from './pages/Orders';
import { OrderDetail } from './pages/OrderDetail';
import { Deliveries } from './pages/Deliveries';
import { Quarantine } from './pages/Quarantine';
import { Accounts } from './pages/Accounts';
import { Notifications } from './pages/Notifications';
import { ParkedEvents } from './pages/ParkedEvents';
import { Access } from './pages/Access';
import { Stock } from './pages/Stock';
import { Marketplaces } from './pages/Marketplaces';

/**
 * The pages, with the scope each needs to be read and whether keys limited to some accounts may
 * (the gateway refuses them routes of no account: keys and the audit log, parked events, stock).
 */
const NAV: { to: string; label: string; needs?: Scope; notLimited?: boolean }[] = [
  { to: '/', label: 'Home' },
  { to: '/accounts', label: 'Accounts', needs: 'read' },
  { to: '/orders', label: 'Orders', needs: 'read' },
  { to: '/deliveries', label: 'Deliveries', needs: 'read' },
  { to: '/quarantine', label: 'Quarantine', needs: 'read' },
  { to: '/notifications', label: 'Notifications', needs: 'read' },
  { to: '/stock', label: 'Stock', needs: 'read', notLimited: true },
  { to: '/marketplaces', label: 'Marketplaces', needs: 'read' },
  { to: '/parked-events', label: 'Parked events', needs: 'read', notLimited: true },
  { to: '/access', label: 'Keys and audit', needs: 'admin', notLimited: true },
];

const offered = (item: (typeof NAV)[number], allowed: Allowed) => (!item.needs || allowed.may(item.needs)) && !(item.notLimited && allowed.limited);

function page(path: string, allowed: Allowed) {
  // A page the key may not see (an address typed or kept from another key) says so rather than fail.
  const item = NAV.find((candidate) => candidate.to !== '/' && (path === candidate.to || path.startsWith(`${candidate.to}/`)));
  if (item && !offered(item, allowed)) {
    return {
      title: 'Not allowed',
      element: (
        <>
          <PageHeader title="Not allowed" />
          <p>
            This API key ({allowed.caller?.name}) may not see {item.label.toLowerCase()}
            {item.notLimited && allowed.limited ? ': it is limited to some seller accounts' : `: it lacks the ${item.needs} scope`}. <Link to="/">Go to the home page</Link>.
          </p>
        </>
      ),
    };
  }
  const order = /^\/orders\/([^/]+)$/.exec(path);
  const orderId = order && decodedPart(order[1]);
  if (orderId) return { title: 'Order', element: <OrderDetail id={orderId} /> };
  switch (path) {
    case '/':
      return { title: 'Home', element: <Home /> };
    case '/accounts':
      return { title: 'Seller accounts', element: <Accounts /> };
    case '/orders':
      return { title: 'Orders', element: <Orders /> };
    case '/deliveries':
      return { title: 'Deliveries', element: <Deliveries /> };
    case '/quarantine':
      return { title: 'Quarantine', element: <Quarantine /> };
    case '/notifications':
      return { title: 'Notifications to Amazon', element: <Notifications /> };
    case '/stock':
      return { title: 'Stock', element: <Stock /> };
    case '/marketplaces':
      return { title: 'Marketplaces', element: <Marketplaces /> };
    case '/parked-events':
      return { title: 'Parked events', element: <ParkedEvents /> };
    case '/access':
      return { title: 'API keys and audit', element: <Access /> };
    default:
      return {
        title: 'Not found',
        element: (
          <>
            <PageHeader title="Not found" />
            <p>
              There is no page at <code>{path}</code>. <Link to="/">Go to the home page</Link>.
            </p>
          </>
        ),
      };
  }
}

export function App() {
  const [signedIn, setSignedIn] = useState(() => session.key() !== null);
  const [refused, setRefused] = useState(false);
  const [caller, setCaller] = useState<{ caller?: Caller; error?: ApiError }>({});
  const location = useLocation();

  // Who the key is, once per sign-in (the sign-in page tells it; a reload asks): what its scopes forbid is not offered.
  const [askedAt, setAskedAt] = useState(0);
  useEffect(() => {
    if (!signedIn) return setCaller({});
    if (caller.caller) return;
    const asking = new AbortController();
    ok(api.GET('/api/v1/access/me', { signal: asking.signal })).then(
      (me) => setCaller({ caller: me }),
      (error: unknown) => asking.signal.aborted || setCaller({ error: error instanceof ApiError ? error : new ApiError(0, 'Error', String(error)) }),
    );
    return () => asking.abort();
  }, [signedIn, askedAt]);
  const allowed = allowedFor(caller.caller);

  useEffect(() => {
    whenKeyRefused(() => {
      // The key was revoked (or the gateway's keys changed) while the console was open.
      session.signOut();
      setRefused(true);
      setSignedIn(false);
    });
  }, []);

  const current = page(location.pathname, allowed);
  useEffect(() => {
    document.title = `${current.title} · Amazon order connector`;
    // A new page: keyboard and screen reader users start at its heading.
    // Signing in keeps the path but removes the focused button: the heading takes the focus then too
    // (once the key's scopes are read and the page is there).
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [location.pathname, current.title, signedIn, Boolean(caller.caller)]);

  if (!signedIn) {
    return (
      <SignIn
        refusedBefore={refused}
        onSignedIn={(me) => {
          setCaller({ caller: me });
          setRefused(false);
          setSignedIn(true);
        }}
      />
    );
  }

  if (!caller.caller) {
    return (
      <main className="sign-in" id="main">
        <div className="card">
          <h1 tabIndex={-1}>Signing in</h1>
          {caller.error ? (
            <>
              <ErrorNotice error={caller.error} action="Cannot read what this API key may do" />
              <Button onClick={() => setAskedAt(Date.now())}>Try again</Button>
            </>
          ) : (
            <p className="muted" role="status">
              Reading what this API key may do…
            </p>
          )}
        </div>
      </main>
    );
  }

  const active = (to: string) => (to === '/' ? location.pathname === '/' : location.pathname.startsWith(to));
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <p className="brand">Amazon order connector</p>
        <nav aria-label="Console">
          <ul>
            {NAV.filter((item) => offered(item, allowed)).map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={active(item.to) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <p className="muted signed-in-as">
          Signed in as {allowed.caller?.name} ({allowed.caller?.scopes.join(', ')}
          {allowed.limited ? `; ${allowed.caller?.accountIds?.length} account${allowed.caller?.accountIds?.length === 1 ? '' : 's'}` : ''})
        </p>
        <div className="sign-out">
          <Button
            variant="secondary"
            onClick={() => {
              session.signOut();
              setSignedIn(false);
              navigate('/', true);
            }}
          >
            Sign out
          </Button>
        </div>
      </aside>
      <main id="main">
        <AllowedContext.Provider value={allowed}>
          <PageFault key={location.pathname}>{current.element}</PageFault>
        </AllowedContext.Provider>
      </main>
    </div>
  );
}

/**
 * A page that fails while it is drawn says so in its place: the navigation stays, and another page
 * (a new path) starts afresh. Without it React would unmount the whole console and leave a blank page.
 */
export class PageFault extends Component<{ children: ReactNode }, { error: Error | undefined }> {
  state: { error: Error | undefined } = { error: undefined };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('The console page failed', error, info.componentStack);
  }

  componentDidUpdate(_: unknown, before: { error: Error | undefined }) {
    if (this.state.error && !before.error) document.querySelector<HTMLElement>('main h1')?.focus();
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <>
        <PageHeader title="This page failed" />
        <div className="notice notice-error" role="alert">
          The console could not show this page: {this.state.error.message}. <Link to="/">Go to the home page</Link> or reload.
        </div>
      </>
    );
  }
}
