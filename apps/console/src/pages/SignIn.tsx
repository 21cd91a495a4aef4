import { useState, type FormEvent } from 'react';
import { api, ApiError, problemOf, session, type Caller } from '../api/client';
import { Button, ErrorNotice, Field } from '../ui';

/**
 * Sign-in with an API key. The key is tried on GET /api/v1/access/me, which any valid key may call:
 * 401 is a wrong key; its answer (the key's scopes) says what the console offers.
 */
export function SignIn({ onSignedIn, refusedBefore }: { onSignedIn: (caller: Caller) => void; refusedBefore: boolean }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const { data, response, error } = await api.GET('/api/v1/access/me', { headers: { authorization: `Bearer ${key.trim()}` } });
      if (data) {
        session.signIn(key.trim());
        onSignedIn(data);
        return;
      }
      setError(response.status === 401 ? new ApiError(401, 'Unauthorized', 'This API key is not accepted by the gateway. Check it and try again.') : problemOf(response, error));
    } catch (err) {
      setError(new ApiError(0, 'No answer', `the gateway cannot be reached (${(err as Error).message})`));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in" id="main">
      <div className="card">
        <h1>Sign in</h1>
        <p className="muted">Amazon order connector console. Use an API key of this gateway; it is kept in this browser tab only.</p>
        {refusedBefore && !error && <p role="alert">The gateway no longer accepts the key you used. Sign in again.</p>}
        <form onSubmit={(event) => void submit(event)}>
          <Field label="API key" type="password" autoComplete="off" required autoFocus value={key} onChange={(event) => setKey(event.target.value)} />
          <ErrorNotice error={error} action="Sign-in refused" />
          <Button type="submit" busy={busy}>
            Sign in
          </Button>
        </form>
      </div>
    </main>
  );
}
