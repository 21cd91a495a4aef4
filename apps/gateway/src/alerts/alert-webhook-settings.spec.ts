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
});
