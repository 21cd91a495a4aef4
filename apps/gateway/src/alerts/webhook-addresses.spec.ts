import { LookupFunction } from 'node:net';
import { AddressNotAllowed, WebhookAddressPolicy } from './webhook-addresses';

const resolve = (lookup: LookupFunction, hostname: string) =>
  new Promise<unknown>((done) => lookup(hostname, { all: true }, (err, addresses) => done(err ?? addresses)));

describe('where alert webhooks may send', () => {
  const strict = new WebhookAddressPolicy('');

  it('takes public unicast addresses only', () => {
    for (const address of ['8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) expect([address, strict.addressAllowed(address)]).toEqual([address, true]);
    const internal = ['127.0.0.1', '127.8.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '::ffff:127.0.0.1', '::ffff:169.254.169.254'];
    for (const address of internal) expect([address, strict.addressAllowed(address)]).toEqual([address, false]);
    expect(strict.addressAllowed('not-an-address')).toBe(false);
  });

  it('takes the hostnames and ranges of ALERT_WEBHOOK_ALLOWED_HOSTS anyway', () => {
    const policy = new WebhookAddressPolicy('hooks.internal, 10.1.0.0/16,127.0.0.1,fd00::/8');
    expect(policy.addressAllowed('10.1.2.3')).toBe(true);
    expect(policy.addressAllowed('10.2.0.1')).toBe(false);
    expect(policy.addressAllowed('127.0.0.1')).toBe(true);
    expect(policy.addressAllowed('127.0.0.2')).toBe(false);
    expect(policy.addressAllowed('fd12::1')).toBe(true);
    expect(policy.urlAllowed(new URL('http://HOOKS.internal/x'))).toBe(true);
    expect(policy.urlAllowed(new URL('http://10.9.9.9/x'))).toBe(false);
  });

  it('checks literal addresses of URLs (whatever their spelling), and leaves hostnames to the send', () => {
    for (const url of ['http://127.0.0.1/', 'http://2130706433/', 'http://0x7f.1/', 'http://[::1]/', 'http://[::ffff:7f00:1]/', 'http://169.254.169.254/latest']) expect([url, strict.urlAllowed(new URL(url))]).toEqual([url, false]);
    expect(strict.urlAllowed(new URL('https://hooks.example.com/alerts'))).toBe(true);
  });

  it('refuses, at connect time, a name that resolves to a non-public address unless the name is allowed', async () => {
    expect(await resolve(strict.lookup('localhost'), 'localhost')).toBeInstanceOf(AddressNotAllowed);
    const byName = new WebhookAddressPolicy('localhost');
    expect(await resolve(byName.lookup('localhost'), 'localhost')).toEqual(expect.arrayContaining([expect.objectContaining({ address: expect.any(String) })]));
  });
});
