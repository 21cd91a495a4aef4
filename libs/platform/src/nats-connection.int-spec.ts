import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'nats';
import { NatsServerProcess } from '@connector/test-environment';
import { natsConnectionOptions, NatsSettings } from './nats-connection';

/** A CA, and a server and a client certificate it signed (openssl), in a temporary folder. */
function certificates(dir: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['server', 'client']) {
    run('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-out', `${name}.pem`, ...(name === 'server' ? ['-extfile', 'server.ext'] : []));
  }
  return { ca: join(dir, 'ca.pem'), serverCert: join(dir, 'server.pem'), serverKey: join(dir, 'server.key'), clientCert: join(dir, 'client.pem'), clientKey: join(dir, 'client.key') };
}

const settings = (overrides: Partial<NatsSettings>): NatsSettings => ({
  NATS_URL: '',
  NATS_USER: '',
  NATS_PASSWORD: '',
  NATS_TOKEN: '',
  NATS_CREDENTIALS_FILE: '',
  NATS_NKEY_SEED_FILE: '',
  NATS_TLS_CA_FILE: '',
  NATS_TLS_CERT_FILE: '',
  NATS_TLS_KEY_FILE: '',
  ...overrides,
});

describe('NATS settings on a real nats-server with TLS and a user', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nats-tls-'));
  let server: NatsServerProcess;
  let files: ReturnType<typeof certificates>;

  beforeAll(async () => {
    files = certificates(dir);
    server = await NatsServerProcess.start(
      [
        `tls: { cert_file: ${JSON.stringify(files.serverCert)}, key_file: ${JSON.stringify(files.serverKey)}, ca_file: ${JSON.stringify(files.ca)}, verify: true }`,
        `authorization: { users: [ { user: "svc", password: "svc-password" } ] }`,
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = () => server.url.replace('nats://', 'tls://');

  it('connects with the CA, a client certificate and the user the settings name', async () => {
    const nc = await connect({ ...natsConnectionOptions(settings({ NATS_URL: url(), NATS_USER: 'svc', NATS_PASSWORD: 'svc-password', NATS_TLS_CA_FILE: files.ca, NATS_TLS_CERT_FILE: files.clientCert, NATS_TLS_KEY_FILE: files.clientKey })), reconnect: false });
    expect(nc.info?.tls_required).toBe(true);
    await nc.close();
  });

  it('is refused without the client certificate, with a wrong password, or without trusting the CA', async () => {
    const attempts: Partial<NatsSettings>[] = [
      { NATS_USER: 'svc', NATS_PASSWORD: 'svc-password', NATS_TLS_CA_FILE: files.ca },
      { NATS_USER: 'svc', NATS_PASSWORD: 'wrong', NATS_TLS_CA_FILE: files.ca, NATS_TLS_CERT_FILE: files.clientCert, NATS_TLS_KEY_FILE: files.clientKey },
      { NATS_USER: 'svc', NATS_PASSWORD: 'svc-password', NATS_TLS_CERT_FILE: files.clientCert, NATS_TLS_KEY_FILE: files.clientKey },
    ];
    for (const attempt of attempts) {
      await expect(connect({ ...natsConnectionOptions(settings({ NATS_URL: url(), ...attempt })), reconnect: false, timeout: 3000 })).rejects.toThrow();
    }
  });
});
