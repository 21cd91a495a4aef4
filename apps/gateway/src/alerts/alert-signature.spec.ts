import * as crypto from 'node:crypto';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

  it("refuses a t that is no number, here and in the README's snippet for receivers", () => {
    // Signed with the secret, but `t` says no time: NaN compared with the tolerance is false.
    const header = `t=abc,v1=${createHmac('sha256', secret).update(`abc.${body}`).digest('hex')}`;
    expect(verifySignature(secret, body, header)).toBe(false);
    const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
    const snippet = /```js\n(const \{ createHmac, timingSafeEqual \} = require\('node:crypto'\);\nfunction verify[\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    const verify = new Function('require', `${snippet}; return verify;`)(() => crypto) as (secret: string, rawBody: string, header: string) => boolean;
    expect(verify(secret, body, signatureHeader(secret, body))).toBe(true);
    expect(verify(secret, body, header)).toBe(false);
  });
});
