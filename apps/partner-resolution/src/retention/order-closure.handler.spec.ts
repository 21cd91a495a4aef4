import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { SyncedOrderPartners } from './order-closure.handler';

const event = {
  orderId: '6f1c3f0e-7f43-4c57-9d43-2f1f3f7c8a01',
  version: 2,
  status: 'shipped',
  contactId: '7a2d4e1f-0b6c-4f3a-8e2d-1c9b8a7f6e51',
  deliveryAddressId: '8b3e5f20-1c7d-4a4b-9f3e-2d0c9b8a7f62',
  accountId: '9c4f6031-2d8e-4b5c-a04f-3e1d0c9b8a73',
  lines: [{ lineId: 'not checked here' }],
};

describe('what partner-resolution reads of order.synced', () => {
  const errorsOf = async (data: object) => (await validate(plainToInstance(SyncedOrderPartners, data), { forbidUnknownValues: true })).map((e) => e.property);

  it('checks the partners, status and version', async () => {
    expect(await errorsOf(event)).toEqual([]);
    expect((await errorsOf({ ...event, contactId: 'nope', status: 'lost', version: 0 })).sort()).toEqual(['contactId', 'status', 'version']);
  });

  it('does not read (or reject) the lines', async () => {
    expect(await errorsOf({ ...event, lines: [] })).toEqual([]);
  });
});
