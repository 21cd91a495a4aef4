import { createHmac } from 'node:crypto';
import { signatureHeader, verifySignature } from './alert-signature';

describe('alert signatures', () => {
  const secret = 'whsec_test';
  const body = '{"id":"a1","kind":"test"}';
  const at = new Date('2026-12-07T05:00:00Z');

  it('signs "<t>.<body>" with HMAC-SHA256, the time in unix seconds', () => {
    const t = at.getTime() / 1000;
    expect(signatureHeader(secret, body, at)).toBe(`t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`);
  });

  it('verifies its own signature, and refuses another body, secret, or a time too far off (a replay)', () => {
    const header = signatureHeader(secret, body, at);
    expect(verifySignature(secret, body, header, 300, at)).toBe(true);
    expect(verifySignature(secret, `${body} `, header, 300, at)).toBe(false);
    expect(verifySignature('whsec_other', body, header, 300, at)).toBe(false);
    expect(verifySignature(secret, body, header, 300, new Date(at.getTime() + 301_000))).toBe(false);
    expect(verifySignature(secret, body, 'v1=deadbeef', 300, at)).toBe(false);
  });
});
