import { OrderIngestionSettings } from '../order-ingestion.settings';
import { ParticipationsRefresher } from './participations.refresher';
import { PARTICIPATIONS_BATCH, ParticipationsService } from './participations.service';

describe('ParticipationsRefresher: a pass takes batch after batch while they come full', () => {
  const refresherWith = (batches: number[]) => {
    const claimed: number[] = [];
    const service = {
      refreshDue: async () => {
        const n = batches.shift() ?? 0;
        claimed.push(n);
        return n;
      },
    } as unknown as ParticipationsService;
    return { refresher: new ParticipationsRefresher(service, { MARKETPLACE_REFRESH_HOURS: 24 } as OrderIngestionSettings), claimed };
  };

  it('goes on after a full batch and ends at the first that is not', async () => {
    const { refresher, claimed } = refresherWith([PARTICIPATIONS_BATCH, PARTICIPATIONS_BATCH, 3, PARTICIPATIONS_BATCH]);
    await refresher.refreshAllDue();
    expect(claimed).toEqual([PARTICIPATIONS_BATCH, PARTICIPATIONS_BATCH, 3]);
  });

  it('one batch when fewer were due, as before', async () => {
    const { refresher, claimed } = refresherWith([0, PARTICIPATIONS_BATCH]);
    await refresher.refreshAllDue();
    expect(claimed).toEqual([0]);
  });

  it('stops between batches once the service is stopping', async () => {
    const { refresher, claimed } = refresherWith([PARTICIPATIONS_BATCH, PARTICIPATIONS_BATCH, PARTICIPATIONS_BATCH]);
    await refresher.beforeApplicationShutdown();
    await refresher.refreshAllDue();
    expect(claimed).toEqual([]);
  });
});
