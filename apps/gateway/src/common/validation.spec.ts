import { ArgumentMetadata, BadRequestException } from '@nestjs/common';
import { CreateAccountRequest, ListOrdersRequest, ValidateDeliveryBody } from '@connector/contracts';
import { gatewayValidationPipe } from './validation';

const body = (metatype: new () => object): ArgumentMetadata => ({ type: 'body', metatype });
const query = (metatype: new () => object): ArgumentMetadata => ({ type: 'query', metatype });

async function failure(value: unknown, meta: ArgumentMetadata) {
  try {
    await gatewayValidationPipe().transform(value, meta);
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestException);
    return (err as BadRequestException).getResponse() as { statusCode: number; message: string; details: { field: string; errors: string[] }[] };
  }
  throw new Error('expected a validation failure');
}

describe('gateway validation', () => {
  const delivery = { carrierCode: 'UPS', trackingNumber: '1Z999' };

  it('accepts a valid validate-delivery body', async () => {
    const out = await gatewayValidationPipe().transform({ ...delivery, lines: [{ orderItemId: '1', quantity: 1 }] }, body(ValidateDeliveryBody));
    expect(out).toBeInstanceOf(ValidateDeliveryBody);
  });

  it('names carrierCode when it is not an Amazon carrier code', async () => {
    const res = await failure({ ...delivery, carrierCode: 'Pony Express' }, body(ValidateDeliveryBody));
    expect(res).toMatchObject({ statusCode: 400, error: 'Bad Request', message: 'Validation failed' });
    expect(res.details.map((d) => d.field)).toEqual(['carrierCode']);
    expect(res.details[0].errors[0]).toMatch(/carrier/);
  });

  it('requires carrierName with carrierCode Other', async () => {
    const res = await failure({ ...delivery, carrierCode: 'Other' }, body(ValidateDeliveryBody));
    expect(res.details.map((d) => d.field)).toContain('carrierName');
  });

  it('names nested line fields', async () => {
    const res = await failure({ ...delivery, lines: [{ orderItemId: '1', quantity: -1 }] }, body(ValidateDeliveryBody));
    expect(res.details.map((d) => d.field)).toEqual(['lines.0.quantity']);
  });

  it('rejects an unknown field', async () => {
    const res = await failure({ ...delivery, status: 'done' }, body(ValidateDeliveryBody));
    expect(res.details).toEqual([{ field: 'status', errors: [expect.stringMatching(/should not exist/)] }]);
  });

  it('names every missing field of an account', async () => {
    const res = await failure({ name: 'Shop' }, body(CreateAccountRequest));
    const fields = res.details.map((d) => d.field);
    for (const field of ['sellerId', 'region', 'lwaClientId', 'lwaClientSecret', 'refreshToken', 'marketplaceIds']) {
      expect(fields).toContain(field);
    }
    expect(JSON.stringify(res)).not.toContain('Shop');
  });

  it('turns query strings into the list request, limit as a number', async () => {
    const out = (await gatewayValidationPipe().transform({ channel: 'FBM', limit: '20' }, query(ListOrdersRequest))) as ListOrdersRequest;
    expect(out.limit).toBe(20);
    const res = await failure({ channel: 'XYZ', limit: '0' }, query(ListOrdersRequest));
    expect(res.details.map((d) => d.field).sort()).toEqual(['channel', 'limit']);
  });
});
