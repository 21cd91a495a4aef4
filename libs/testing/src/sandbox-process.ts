import { allowSandboxEndpoint, ServiceProcess } from '@connector/local-system';
import { ROOT_DIR } from './running-system';
import { freePort } from '@connector/test-environment';

export interface SandboxProcessOptions {
  timeScale?: number;
  rateLimits?: boolean;
}

/**
 * The Amazon sandbox alone, as its own process from dist/ (as `npm start` runs it), for tests and
 * benchmarks of one service: a service's code may not import another app, so it talks to the
 * sandbox over HTTP only. Needs `npm run build` first, as the integration tests do.
 */
export class SandboxProcess {
  private constructor(
    readonly url: string,
    private readonly process: ServiceProcess,
  ) {}

  static async start(options: SandboxProcessOptions = {}): Promise<SandboxProcess> {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = allowSandboxEndpoint(
      {
        ...process.env,
        SANDBOX_PORT: String(port),
        SANDBOX_TIME_SCALE: String(options.timeScale ?? 1),
        SANDBOX_RATE_LIMITS: options.rateLimits === false ? 'off' : 'on',
      },
      url,
    );
    const sandbox = new ServiceProcess('amazon-sandbox', { rootDir: ROOT_DIR, env, log: () => undefined }, 36);
    await sandbox.start();
    return new SandboxProcess(url, sandbox);
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
