import { newAccountSyncState } from './accounts.service';

describe('newAccountSyncState: an account re-created or re-authorized starts afresh', () => {
  it('carries no outage back-off over: its first outage retries after the shortest wait, not at its interval', () => {
    expect(newAccountSyncState().outageRuns).toBe(0);
  });
});
