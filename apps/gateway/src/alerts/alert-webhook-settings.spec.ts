import { loadSettings } from '@connector/platform';
import { GatewaySettings } from '../gateway.settings';

describe('webhook URL schemes', () => {
  const settings = (fields: Partial<GatewaySettings>) => Object.assign(new GatewaySettings(), fields);

  it('takes plain http outside production, https only in production, unless ALERT_WEBHOOK_ALLOW_HTTP says otherwise', () => {
    expect(settings({}).webhooksMayUseHttp).toBe(true);
    expect(settings({ NODE_ENV: 'production' }).webhooksMayUseHttp).toBe(false);
    expect(settings({ NODE_ENV: 'production', ALERT_WEBHOOK_ALLOW_HTTP: 'yes' }).webhooksMayUseHttp).toBe(true);
    expect(settings({ ALERT_WEBHOOK_ALLOW_HTTP: 'no' }).webhooksMayUseHttp).toBe(false);
  });

  it('refuses the development key of webhook secrets in production', () => {
    const own = { NATS_USER: 'gateway', NATS_PASSWORD: 'x', CREDENTIALS_TRANSIT_KEY: `base64:${Buffer.alloc(32, 1).toString('base64')}`, GATEWAY_API_KEYS: 'a'.repeat(30) };
    expect(settings(own).productionProblems()).toEqual([expect.stringMatching(/^WEBHOOK_SECRETS_KEY must be your own key/)]);
    expect(settings({ ...own, WEBHOOK_SECRETS_KEY: `base64:${Buffer.alloc(32, 2).toString('base64')}` }).productionProblems()).toEqual([]);
  });

  it('takes ALERT_WEBHOOK_ALLOWED_HOSTS as comma-separated hostnames and CIDRs only', () => {
    for (const value of ['', '127.0.0.1', 'hooks.internal, 10.1.0.0/16,fd00::/8', '::1']) expect(loadSettings(GatewaySettings, { ALERT_WEBHOOK_ALLOWED_HOSTS: value }).ALERT_WEBHOOK_ALLOWED_HOSTS).toBe(value);
    for (const value of ['http://hooks.internal', '10.0.0.0/8;rm', 'a,,b']) expect(() => loadSettings(GatewaySettings, { ALERT_WEBHOOK_ALLOWED_HOSTS: value })).toThrow(/ALERT_WEBHOOK_ALLOWED_HOSTS/);
  });
});
