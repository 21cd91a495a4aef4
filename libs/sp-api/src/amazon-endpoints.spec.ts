import { AmazonEndpoints, LWA_TOKEN_URL } from './amazon-endpoints';

describe('AmazonEndpoints: where an account may send its secrets', () => {
  const amazonOnly = new AmazonEndpoints();
  const withSandbox = AmazonEndpoints.fromSetting(' http://127.0.0.1:4500 , https://stand-in.example.com/amazon ');

  it("allows Amazon's SP-API hosts of the account's region only", () => {
    expect(amazonOnly.apiAllowed('EU', 'https://sellingpartnerapi-eu.amazon.com')).toBe(true);
    expect(amazonOnly.apiAllowed('EU', 'https://sellingpartnerapi-eu.amazon.com/')).toBe(true);
    expect(amazonOnly.apiAllowed('NA', 'https://sandbox.sellingpartnerapi-na.amazon.com')).toBe(true);
    expect(amazonOnly.apiAllowed('NA', 'https://sellingpartnerapi-eu.amazon.com')).toBe(false);
    expect(amazonOnly.apiAllowed('EU', 'http://sellingpartnerapi-eu.amazon.com')).toBe(false);
    expect(amazonOnly.apiAllowed('EU', 'https://sellingpartnerapi-eu.amazon.com:8443')).toBe(false);
    expect(amazonOnly.apiAllowed('EU', 'https://sellingpartnerapi-eu.amazon.com.evil.example')).toBe(false);
    expect(amazonOnly.apiAllowed('EU', 'https://user:pw@sellingpartnerapi-eu.amazon.com')).toBe(false);
    expect(amazonOnly.apiAllowed('EU', 'https://sellingpartnerapi-eu.amazon.com/somewhere')).toBe(false);
    expect(amazonOnly.apiAllowed('EU', 'not a url')).toBe(false);
  });

  it("allows Amazon's LWA token URL and nothing near it", () => {
    expect(amazonOnly.lwaAllowed(LWA_TOKEN_URL)).toBe(true);
    expect(amazonOnly.lwaAllowed('https://API.amazon.com:443/auth/o2/token')).toBe(true);
    expect(amazonOnly.lwaAllowed('https://api.amazon.com/auth/o2/token?x=1')).toBe(false);
    expect(amazonOnly.lwaAllowed('https://api.amazon.com.evil.example/auth/o2/token')).toBe(false);
    expect(amazonOnly.lwaAllowed('http://127.0.0.1:4500/auth/o2/token')).toBe(false);
  });

  it('allows URLs at or under a named base, on its origin and path segments only', () => {
    expect(withSandbox.apiAllowed('FE', 'http://127.0.0.1:4500')).toBe(true);
    expect(withSandbox.lwaAllowed('http://127.0.0.1:4500/auth/o2/token')).toBe(true);
    expect(withSandbox.apiAllowed('EU', 'https://stand-in.example.com/amazon/eu')).toBe(true);
    expect(withSandbox.apiAllowed('EU', 'https://stand-in.example.com/amazonia')).toBe(false);
    expect(withSandbox.apiAllowed('EU', 'https://stand-in.example.com/amazon/../other')).toBe(false);
    expect(withSandbox.apiAllowed('EU', 'https://stand-in.example.com/amazon/%2e%2e/other')).toBe(false);
    expect(withSandbox.apiAllowed('EU', 'http://127.0.0.1:4501')).toBe(false);
    expect(withSandbox.apiAllowed('EU', 'https://127.0.0.1:4500')).toBe(false);
    expect(withSandbox.apiAllowed('EU', 'http://localhost:4500')).toBe(false);
  });

  it('names each field that points elsewhere', () => {
    expect(amazonOnly.problems('EU', { apiEndpoint: 'https://evil.example', lwaEndpoint: 'https://evil.example/token' }).map((p) => p.field)).toEqual(['apiEndpoint', 'lwaEndpoint']);
    expect(amazonOnly.problems('EU', {})).toEqual([]);
    expect(() => amazonOnly.assertAllowed('EU', { apiEndpoint: 'https://evil.example', lwaEndpoint: LWA_TOKEN_URL })).toThrow(/apiEndpoint/);
  });

  it('refuses a setting that is not a list of plain base URLs', () => {
    expect(() => AmazonEndpoints.fromSetting('ftp://example.com')).toThrow(/AMAZON_ALLOWED_ENDPOINTS/);
    expect(() => AmazonEndpoints.fromSetting('https://u:p@example.com')).toThrow(/AMAZON_ALLOWED_ENDPOINTS/);
    expect(() => AmazonEndpoints.fromSetting('example.com')).toThrow(/AMAZON_ALLOWED_ENDPOINTS/);
    expect(() => AmazonEndpoints.fromSetting('')).not.toThrow();
  });
});
