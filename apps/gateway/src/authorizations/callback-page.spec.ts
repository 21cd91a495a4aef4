import express from 'express';
import { linkedPage, prefersHtml, refusedPage } from './callback-page';

describe('the Link with Amazon callback page', () => {
  /** A request as Express makes it (its own content negotiation), with this Accept header. */
  const accepting = (accept: string) => Object.assign(Object.create(express.request) as express.Request, { headers: { accept } });

  it('goes to a browser (text/html first), not to curl (*/*) or an API client', () => {
    expect(prefersHtml(accepting('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'))).toBe(true);
    expect(prefersHtml(accepting('*/*'))).toBe(false);
    expect(prefersHtml(accepting('application/json'))).toBe(false);
  });

  it('names the seller and the account, and escapes what it shows', () => {
    const html = linkedPage('A2LINKSELLER01', { authorizationId: 'a', accountId: '0193a5b2-6c1d-7e8f-9a0b-1c2d3e4f5a6b', created: true });
    expect(html).toContain('<code>A2LINKSELLER01</code>');
    expect(html).toContain('0193a5b2-6c1d-7e8f-9a0b-1c2d3e4f5a6b');
    expect(html).toContain('a new account');
    const refused = refusedPage(400, 'the state <script>alert(1)</script> is "odd"');
    expect(refused).not.toContain('<script>');
    expect(refused).toContain('&lt;script&gt;alert(1)&lt;/script&gt; is &quot;odd&quot;');
    expect(refusedPage(503, 'Login with Amazon could not be reached')).toContain('Try again in a few minutes');
  });

  it('shows each failing field and its errors, as the problem document names them, escaped', () => {
    const refused = refusedPage(400, 'Validation failed', [
      { field: 'selling_partner_id', errors: ['seller A2LINKOTHER001 consented, not the <expected> seller A2LINKSELLER01'] },
      { field: 'state', errors: ['state must be longer than or equal to 1 characters', 'state must be a string'] },
    ]);
    expect(refused).toContain('Validation failed');
    expect(refused).toContain('<code>selling_partner_id</code>: seller A2LINKOTHER001 consented, not the &lt;expected&gt; seller A2LINKSELLER01');
    expect(refused).toContain('<code>state</code>: state must be longer than or equal to 1 characters; state must be a string');
    expect(refused).not.toContain('<expected>');
    expect(refusedPage(400, 'Validation failed')).not.toContain('<code>');
  });
});
