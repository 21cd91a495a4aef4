import 'reflect-metadata';
import { runMigrations } from '@connector/persistence';
import { loadSettings, SecretBox } from '@connector/platform';
import { DataSource } from 'typeorm';
import { resealAccountSecrets } from './accounts/credentials-rotation';
import { ingestionDataSource } from './data-source';
import { OrderIngestionSettings } from './order-ingestion.settings';

/**
 * `npm run credentials:rotate`: re-encrypts every stored account secret with the first key of
 * CREDENTIALS_KEY. Rotation: set CREDENTIALS_KEY=<new>,<old> in every service, restart them,
 * run this, then drop <old>.
 */
async function main(): Promise<void> {
  const settings = loadSettings(OrderIngestionSettings);
  const box = new SecretBox(settings.CREDENTIALS_KEY);
  const options = ingestionDataSource(settings);
  // Also on a database the service never started on: then there is nothing to seal.
  await runMigrations(options);
  const dataSource = await new DataSource(options).initialize();
  try {
    const { accounts, resealed } = await resealAccountSecrets(dataSource, box);
    process.stdout.write(`credentials: ${resealed} of ${accounts} accounts sealed again with key ${box.currentKeyId}\n`);
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err) => {
  // The message only: a stack could name values of the failing row.
  process.stderr.write(`credentials rotation failed: ${err.message}\n`);
  process.exit(1);
});
