import { createSandboxApp, sandboxBaseUrl } from './sandbox-app';
import { sandboxOptionsFromEnv } from './sandbox-options';

async function main(): Promise<void> {
  const options = sandboxOptionsFromEnv(process.env);
  const app = await createSandboxApp({ ...options, logger: ['error', 'warn'] });
  const url = sandboxBaseUrl(app).replace('127.0.0.1', options.host === '0.0.0.0' ? '127.0.0.1' : options.host);
  console.log(`Amazon sandbox listening on ${url} (timeScale ${options.timeScale}, rate limits ${options.rateLimits ? 'on' : 'off'})`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
