import { accountSecretContext, SecretBox } from '@connector/platform';
import { DataSource } from 'typeorm';

export interface RotationOutcome {
  accounts: number;
  resealed: number;
}

const BATCH = 200;

/**
 * Seals every account secret again with the first key of CREDENTIALS_KEY (after a new key was
 * put first, or to move v1 values to v2). Batches of rows, each in its own transaction with the
 * rows locked, so a concurrent change of an account's secrets is never overwritten with old ones.
 * Safe to run again: values already sealed with the current key are left alone.
 */
export async function resealAccountSecrets(dataSource: DataSource, box: SecretBox): Promise<RotationOutcome> {
  const outcome: RotationOutcome = { accounts: 0, resealed: 0 };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const last = await dataSource.transaction(async (manager) => {
      const rows: { id: string; encrypted_client_secret: string; encrypted_refresh_token: string }[] = await manager.query(
        `select id, encrypted_client_secret, encrypted_refresh_token from seller_accounts where id > $1 order by id limit $2 for update`,
        [after, BATCH],
      );
      for (const row of rows) {
        outcome.accounts++;
        const clientSecret = accountSecretContext(row.id, 'clientSecret');
        const refreshToken = accountSecretContext(row.id, 'refreshToken');
        if (!box.needsResealing(row.encrypted_client_secret) && !box.needsResealing(row.encrypted_refresh_token)) continue;
        await manager.query(`update seller_accounts set encrypted_client_secret = $2, encrypted_refresh_token = $3 where id = $1`, [
          row.id,
          box.encrypt(box.decrypt(row.encrypted_client_secret, clientSecret), clientSecret),
          box.encrypt(box.decrypt(row.encrypted_refresh_token, refreshToken), refreshToken),
        ]);
        outcome.resealed++;
      }
      return rows.length ? rows[rows.length - 1].id : undefined;
    });
    if (!last) return outcome;
    after = last;
  }
}
