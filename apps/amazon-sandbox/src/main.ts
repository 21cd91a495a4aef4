import { createSandboxApp, sandboxBaseUrl } from './sandbox-app';
import { sandboxOptionsFromEnv } from './sandbox-options';

async function main(): Promise<void> {
  // Its control API creates sellers and rewrites orders without any authentication.
  if (process.env.NODE_ENV === 'production') {
    console.error('amazon-sandbox: refusing to start in production (NODE_ENV=production): the sandbox is a test stand-in for Amazon, never part of a production system');
    process.exit(1);
  }
  const options = sandboxOptionsFromEnv(process.env);
  const app = await createSandboxApp({ ...options, logger: ['error', 'warn'] });
  const url = sandboxBaseUrl(app).replace('127.0.0.1', options.host === '0.0.0.0' ? '127.0.0.1' : options.host);
  console.log(`Amazon sandbox listening on ${url} (timeScale ${options.timeScale}, rate limits ${options.rateLimits ? 'on' : 'off'})`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
