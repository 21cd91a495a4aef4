import { loadSettings } from '@connector/platform';
import { AmazonAccessSettings } from './amazon-access.settings';

describe('AmazonAccessSettings in production', () => {
  const production = { NODE_ENV: 'production', NATS_TOKEN: 't', CREDENTIALS_KEY: `base64:${Buffer.alloc(32, 1).toString('base64')}` };

  it.each(['http://stand-in.example.com', 'https://127.0.0.2:4600', 'https://localhost.:4600', 'https://10.1.2.3', 'https://192.168.0.9', 'https://[::1]:4600', 'https://[fd00::1]', 'https://sandbox.localhost'])(
    'refuses %s among the allowed endpoints: only a local stand-in has it',
    (endpoint) => {
      expect(() => loadSettings(AmazonAccessSettings, { ...production, AMAZON_ALLOWED_ENDPOINTS: endpoint })).toThrow(/AMAZON_ALLOWED_ENDPOINTS must not name a sandbox/);
    },
  );

  it('takes a proxy on a public https host, and nothing', () => {
    expect(loadSettings(AmazonAccessSettings, { ...production, AMAZON_ALLOWED_ENDPOINTS: 'https://spapi-proxy.example.com' }).NODE_ENV).toBe('production');
    expect(loadSettings(AmazonAccessSettings, production).AMAZON_ALLOWED_ENDPOINTS).toBe('');
  });
});

describe('AmazonAccessSettings: SPAPI_RETRIES', () => {
  it('is 8 unless set, takes 0..20 and refuses anything else', () => {
    expect(loadSettings(AmazonAccessSettings, {}).SPAPI_RETRIES).toBe(8);
    expect(loadSettings(AmazonAccessSettings, { SPAPI_RETRIES: '0' }).SPAPI_RETRIES).toBe(0);
    for (const wrong of ['-1', '21', '2.5', 'many', '']) expect(() => loadSettings(AmazonAccessSettings, { SPAPI_RETRIES: wrong })).toThrow(/SPAPI_RETRIES/);
  });
});
