import { loadSettings } from '@connector/platform';
import { OrderIngestionSettings } from '../order-ingestion.settings';
import { ConsentUrls, SELLER_CENTRAL, SELLER_CENTRAL_BY_COUNTRY } from './consent-urls';

const key = (byte: number) => `base64:${Buffer.alloc(32, byte).toString('base64')}`;

describe('Link with Amazon settings', () => {
  const production = { NODE_ENV: 'production', NATS_TOKEN: 't', CREDENTIALS_KEY: key(1), CREDENTIALS_TRANSIT_KEY: key(2) };
  const app = {
    SPAPI_APP_ID: 'amzn1.sp.solution.0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
    SPAPI_APP_CLIENT_ID: 'amzn1.application-oa2-client.0123456789abcdef',
    SPAPI_APP_CLIENT_SECRET: 'amzn1.oa2-cs.v1.0123456789abcdef',
    SPAPI_APP_REDIRECT_URI: 'https://connector.example.com/api/v1/authorizations/callback',
    SPAPI_CONSENT_BASE_URL: 'amazon',
    AUTHORIZATION_STATE_KEY: key(3),
  };

  it('refuses the development app, a sandbox consent page, an http redirect URI and the development state key in production', () => {
    expect(() => loadSettings(OrderIngestionSettings, production)).toThrow(/SPAPI_APP_ID must be your app's id/);
    expect(() => loadSettings(OrderIngestionSettings, { ...production, ...app, SPAPI_APP_CLIENT_SECRET: 'development-app-client-secret' })).toThrow(/SPAPI_APP_CLIENT_SECRET/);
    expect(() => loadSettings(OrderIngestionSettings, { ...production, ...app, SPAPI_CONSENT_BASE_URL: 'http://127.0.0.1:4500' })).toThrow(/SPAPI_CONSENT_BASE_URL must not name a sandbox/);
    expect(() => loadSettings(OrderIngestionSettings, { ...production, ...app, SPAPI_APP_REDIRECT_URI: 'http://connector.example.com/cb' })).toThrow(/SPAPI_APP_REDIRECT_URI must be https/);
    expect(() => loadSettings(OrderIngestionSettings, { ...production, ...app, AUTHORIZATION_STATE_KEY: 'local-development-authorization-state-key' })).toThrow(/AUTHORIZATION_STATE_KEY must be your own key/);
    expect(() => loadSettings(OrderIngestionSettings, { ...production, ...app, AUTHORIZATION_STATE_KEY: 'unused-while-link-with-amazon-is-off' })).toThrow(/AUTHORIZATION_STATE_KEY/);
  });

  it('starts in production with the app set up, or with Link with Amazon off (SPAPI_APP_ID empty)', () => {
    expect(loadSettings(OrderIngestionSettings, { ...production, ...app }).linkingEnabled).toBe(true);
    const off = loadSettings(OrderIngestionSettings, { ...production, SPAPI_APP_ID: '', SPAPI_APP_CLIENT_ID: '', SPAPI_APP_CLIENT_SECRET: '', SPAPI_APP_REDIRECT_URI: '', AUTHORIZATION_STATE_KEY: 'unused-while-link-with-amazon-is-off' });
    expect(off.linkingEnabled).toBe(false);
  });

  it('wants the app\'s client and redirect URI whenever it is on', () => {
    expect(() => loadSettings(OrderIngestionSettings, { SPAPI_APP_REDIRECT_URI: '' })).toThrow(/SPAPI_APP_REDIRECT_URI must be set when SPAPI_APP_ID is/);
    expect(() => loadSettings(OrderIngestionSettings, { SPAPI_APP_ID: 'my-app' })).toThrow(/SPAPI_APP_ID must be amzn1.sp.solution/);
  });

  it('reads the consent page per region: Amazon\'s Seller Central, one base for all, or per region', () => {
    const amazon = ConsentUrls.fromSetting('amazon');
    expect(amazon.base('EU')).toBe(SELLER_CENTRAL.EU);
    expect(amazon.consentUrl('EU', { applicationId: 'amzn1.sp.solution.x', state: 's.1.m', redirectUri: 'https://c.example.com/cb', draft: true })).toBe(
      'https://sellercentral-europe.amazon.com/apps/authorize/consent?application_id=amzn1.sp.solution.x&state=s.1.m&redirect_uri=https%3A%2F%2Fc.example.com%2Fcb&version=beta',
    );
    expect(amazon.consentUrl('NA', { applicationId: 'a', state: 's', redirectUri: 'https://c.example.com/cb', draft: false })).not.toContain('version=');
    expect(ConsentUrls.fromSetting('http://127.0.0.1:4500').all()).toEqual(['http://127.0.0.1:4500']);
    const mixed = ConsentUrls.fromSetting('EU=https://sellercentral.amazon.co.uk');
    expect([mixed.base('EU'), mixed.base('NA')]).toEqual(['https://sellercentral.amazon.co.uk', SELLER_CENTRAL.NA]);
    expect(() => ConsentUrls.fromSetting('XX=https://a.example.com')).toThrow(/unknown region/);
    expect(() => ConsentUrls.fromSetting('ftp://a.example.com')).toThrow(/http\(s\) base URL/);
  });

  it('sends a seller to the Seller Central of the marketplace they sign in for: Australia and Singapore are not Japan', () => {
    const amazon = ConsentUrls.fromSetting('amazon');
    const consent = { applicationId: 'a', state: 's', redirectUri: 'https://c.example.com/cb', draft: false };
    expect(new URL(amazon.consentUrl('FE', { ...consent, countryCode: 'AU' })).origin).toBe('https://sellercentral.amazon.com.au');
    expect(new URL(amazon.consentUrl('FE', { ...consent, countryCode: 'SG' })).origin).toBe('https://sellercentral.amazon.sg');
    expect(new URL(amazon.consentUrl('FE', { ...consent, countryCode: 'JP' })).origin).toBe('https://sellercentral.amazon.co.jp');
    expect(new URL(amazon.consentUrl('FE', consent)).origin).toBe(SELLER_CENTRAL.FE);
    // Countries without a Seller Central of their own use their region's.
    expect([amazon.base('EU', 'DE'), amazon.base('EU', 'GB'), amazon.base('NA', 'US')]).toEqual([SELLER_CENTRAL.EU, SELLER_CENTRAL.EU, SELLER_CENTRAL.NA]);
    expect([amazon.base('NA', 'CA'), amazon.base('EU', 'NL'), amazon.base('EU', 'IN')]).toEqual([SELLER_CENTRAL_BY_COUNTRY.CA, 'https://sellercentral.amazon.nl', 'https://sellercentral.amazon.in']);
    // A base the setting names for a region (a sandbox, a proxy) serves every country of it.
    expect(ConsentUrls.fromSetting('http://127.0.0.1:4500').base('FE', 'AU')).toBe('http://127.0.0.1:4500');
    const fe = ConsentUrls.fromSetting('FE=https://consent.example.com');
    expect([fe.base('FE', 'SG'), fe.base('EU', 'SE')]).toEqual(['https://consent.example.com', 'https://sellercentral.amazon.se']);
  });
});
