import { Component, useEffect, useState, type ErrorInfo, type ReactNode } from 'react';
import { session, whenKeyRefused } from './api/client';
import { decodedPart, Link, navigate, useLocation } from './router';
import { Button, PageHeader } from './ui';
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

const NAV = [
  { to: '/', label: 'Home' },
  { to: '/accounts', label: 'Accounts' },
  { to: '/orders', label: 'Orders' },
  { to: '/deliveries', label: 'Deliveries' },
  { to: '/quarantine', label: 'Quarantine' },
  { to: '/notifications', label: 'Notifications' },
  { to: '/parked-events', label: 'Parked events' },
  { to: '/access', label: 'Keys and audit' },
];

function page(path: string) {
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
  const location = useLocation();

  useEffect(() => {
    whenKeyRefused(() => {
      // The key was revoked (or the gateway's keys changed) while the console was open.
      session.signOut();
      setRefused(true);
      setSignedIn(false);
    });
  }, []);

  const current = page(location.pathname);
  useEffect(() => {
    document.title = `${current.title} · Amazon order connector`;
    // A new page: keyboard and screen reader users start at its heading.
    // Signing in keeps the path but removes the focused button: the heading takes the focus then too.
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [location.pathname, current.title, signedIn]);

  if (!signedIn) {
    return (
      <SignIn
        refusedBefore={refused}
        onSignedIn={() => {
          setRefused(false);
          setSignedIn(true);
        }}
      />
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
            {NAV.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={active(item.to) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
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
        <PageFault key={location.pathname}>{current.element}</PageFault>
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
