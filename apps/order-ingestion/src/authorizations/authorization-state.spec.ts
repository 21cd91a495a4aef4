import { AuthorizationStateSigner } from './authorization-state';

const ID = '0193a5b2-6c1d-7e8f-9a0b-1c2d3e4f5a6b';
const KEY = 'a-state-key-of-sixteen-characters';
const inTenMinutes = (now: Date) => new Date(now.getTime() + 600_000);

describe('AuthorizationStateSigner', () => {
  const now = new Date('2026-12-07T12:00:00Z');
  const signer = new AuthorizationStateSigner(KEY);

  it('signs the authorization id and expiry, and verifies its own state', () => {
    const state = signer.sign(ID, inTenMinutes(now));
    expect(state).toMatch(new RegExp(`^${ID}\\.\\d+\\.[A-Za-z0-9_-]{43}$`));
    expect(signer.verify(state, now)).toEqual({ authorizationId: ID, expiresAt: inTenMinutes(now) });
  });

  it('refuses a state signed with another key, or changed in any part', () => {
    const state = signer.sign(ID, inTenMinutes(now));
    expect(new AuthorizationStateSigner('another-key-of-sixteen-chars').verify(state, now)).toEqual({ refused: 'signature' });
    const [id, expiry, mac] = state.split('.');
    const otherId = `${id.slice(0, -1)}${id.endsWith('a') ? 'b' : 'a'}`;
    expect(signer.verify(`${otherId}.${expiry}.${mac}`, now)).toEqual({ refused: 'signature' });
    // A later expiry is not the one signed.
    expect(signer.verify(`${id}.${Number(expiry) + 3600}.${mac}`, now)).toEqual({ refused: 'signature' });
    const flipped = `${mac.slice(0, 10)}${mac[10] === 'A' ? 'B' : 'A'}${mac.slice(11)}`;
    expect(signer.verify(`${id}.${expiry}.${flipped}`, now)).toEqual({ refused: 'signature' });
  });

  it('refuses an expired state, even well signed', () => {
    const state = signer.sign(ID, inTenMinutes(now));
    expect(signer.verify(state, new Date(now.getTime() + 600_000))).toEqual({ refused: 'expired' });
  });

  it('refuses what is not a state at all', () => {
    for (const state of ['', 'x', `${ID}.123`, `${ID}.abc.${'A'.repeat(43)}`, `not-a-uuid.123.${'A'.repeat(43)}`, `${signer.sign(ID, inTenMinutes(now))}.extra`]) {
      expect(signer.verify(state, now)).toEqual({ refused: 'malformed' });
    }
  });

  it('verifies with every key while rotating, and signs with the first', () => {
    const old = signer.sign(ID, inTenMinutes(now));
    const rotated = new AuthorizationStateSigner(`base64:${Buffer.alloc(32, 7).toString('base64')},${KEY}`);
    expect(rotated.verify(old, now)).toMatchObject({ authorizationId: ID });
    expect(signer.verify(rotated.sign(ID, inTenMinutes(now)), now)).toEqual({ refused: 'signature' });
  });
});
