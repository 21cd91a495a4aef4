import { DueNotifications } from './due-notifications';

describe('DueNotifications: wakes the senders when a notification is due now', () => {
  it('calls every listener on an announcement, and none before', () => {
    const due = new DueNotifications();
    const woken: string[] = [];
    due.onDue(() => woken.push('shipments'));
    due.onDue(() => woken.push('other'));
    expect(woken).toEqual([]);
    due.announce();
    expect(woken).toEqual(['shipments', 'other']);
  });
});
