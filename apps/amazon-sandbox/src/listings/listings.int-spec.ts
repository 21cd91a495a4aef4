import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

const FR = 'A13V1IB3VIYZZH';
const DE = 'A1PA6795UKMFR9';

describe('Listings Items 2021-08-01 and JSON_LISTINGS_FEED', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;
  let token: string;

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ rateLimits: false, timeScale: 20 });
    seller = await sb.seedSeller();
    token = await sb.accessToken(seller);
    const seeded = await sb.request('PUT', '/_sandbox/listings', { body: { sellerId: seller.sellerId, marketplaceIds: [FR, DE], skus: [{ sku: 'SKU-A', quantity: 3 }, { sku: 'SKU-B' }, { sku: 'SKU-C' }] } });
    expect(seeded.status).toBe(200);
  });
  afterAll(() => sb.close());

  const availability = (quantity: unknown, extra: Record<string, unknown> = {}) => [
    { op: 'replace', path: '/attributes/fulfillment_availability', value: [{ fulfillment_channel_code: 'DEFAULT', quantity, ...extra }] },
  ];
  const patch = (sku: string, body: unknown, marketplaceIds = FR) =>
    sb.request('PATCH', `/listings/2021-08-01/items/${seller.sellerId}/${encodeURIComponent(sku)}?marketplaceIds=${marketplaceIds}`, { token, body });
  const listing = async (sku: string, marketplaceId: string) =>
    (await sb.request('GET', `/_sandbox/listings?sellerId=${seller.sellerId}&sku=${sku}&marketplaceId=${marketplaceId}`)).body.listings[0];

  it('patchListingsItem replaces the quantity of one marketplace only, and answers ACCEPTED', async () => {
    const res = await patch('SKU-A', { productType: 'PRODUCT', patches: availability(7, { lead_time_to_ship_max_days: 2 }) });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ sku: 'SKU-A', status: 'ACCEPTED', submissionId: expect.any(String), issues: [] });
    expect((await listing('SKU-A', FR)).attributes.fulfillment_availability).toEqual([{ fulfillment_channel_code: 'DEFAULT', quantity: 7, lead_time_to_ship_max_days: 2 }]);
    expect((await listing('SKU-A', DE)).attributes.fulfillment_availability).toEqual([{ fulfillment_channel_code: 'DEFAULT', quantity: 3 }]);
  });

  it('a malformed request is a 400 with errors; a value the schema refuses, an unknown SKU or a failing SKU is INVALID with issues and changes nothing', async () => {
    expect((await patch('SKU-A', { patches: availability(1) })).status).toBe(400);
    expect((await patch('SKU-A', { productType: 'PRODUCT', patches: [{ op: 'move', path: '/attributes/fulfillment_availability', value: [] }] })).body.errors[0].code).toBe('InvalidInput');
    expect((await patch('SKU-A', { productType: 'PRODUCT', patches: availability(1) }, `${FR},${DE}`)).status).toBe(400);

    const negative = await patch('SKU-A', { productType: 'PRODUCT', patches: availability(-2) });
    expect(negative.status).toBe(200);
    expect(negative.body.status).toBe('INVALID');
    expect(negative.body.issues[0]).toMatchObject({ severity: 'ERROR', attributeNames: ['fulfillment_availability'] });

    const unknown = await patch('NOPE', { productType: 'PRODUCT', patches: availability(1) });
    expect(unknown.body).toMatchObject({ sku: 'NOPE', status: 'INVALID', issues: [{ severity: 'ERROR' }] });

    await sb.request('POST', '/_sandbox/listings/failures', { body: { sellerId: seller.sellerId, sku: 'SKU-A', issue: { code: '8541', message: 'SKU-A is blocked' } } });
    const failing = await patch('SKU-A', { productType: 'PRODUCT', patches: availability(1) });
    expect(failing.body).toMatchObject({ status: 'INVALID', issues: [{ code: '8541', message: 'SKU-A is blocked', severity: 'ERROR' }] });
    await sb.request('DELETE', '/_sandbox/listings/failures');
    expect((await listing('SKU-A', FR)).attributes.fulfillment_availability[0].quantity).toBe(7);
  });

  it('a listing fulfilled by Amazon refuses a merchant (DEFAULT) quantity and stays as it was', async () => {
    await sb.request('PUT', '/_sandbox/listings', { body: { sellerId: seller.sellerId, marketplaceIds: [FR], skus: [{ sku: 'SKU-FBA', fulfillmentChannelCode: 'AMAZON_EU' }] } });
    const res = await patch('SKU-FBA', { productType: 'PRODUCT', patches: availability(5) });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sku: 'SKU-FBA', status: 'INVALID', issues: [{ severity: 'ERROR', attributeNames: ['fulfillment_availability'], message: expect.stringContaining('fulfilled by Amazon') }] });
    const fba = await listing('SKU-FBA', FR);
    expect(fba.attributes.fulfillment_availability).toEqual([{ fulfillment_channel_code: 'AMAZON_EU' }]);
    expect(fba.history).toEqual([]);
    expect(fba.refused).toHaveLength(1);
  });

  it('another seller is refused', async () => {
    const res = await sb.request('PATCH', `/listings/2021-08-01/items/OTHERSELLER/SKU-A?marketplaceIds=${FR}`, { token, body: { productType: 'PRODUCT', patches: availability(1) } });
    expect(res.status).toBe(403);
  });

  it('JSON_LISTINGS_FEED applies PATCH messages in its marketplace and reports per-SKU issues in the v2 JSON report', async () => {
    await sb.request('POST', '/_sandbox/listings/failures', { body: { sellerId: seller.sellerId, sku: 'SKU-C' } });
    const feedContent = {
      header: { sellerId: seller.sellerId, version: '2.0', issueLocale: 'en_US' },
      messages: [
        { messageId: 1, sku: 'SKU-A', operationType: 'PATCH', productType: 'PRODUCT', patches: availability(11) },
        { messageId: 2, sku: 'SKU-B', operationType: 'PATCH', productType: 'PRODUCT', patches: availability(12) },
        { messageId: 3, sku: 'SKU-C', operationType: 'PATCH', productType: 'PRODUCT', patches: availability(13) },
        { messageId: 4, sku: 'SKU-B', operationType: 'PATCH', productType: 'PRODUCT', patches: availability(1.5) },
      ],
    };
    const doc = await sb.request('POST', '/feeds/2021-06-30/documents', { token, body: { contentType: 'application/json; charset=UTF-8' } });
    await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'application/json; charset=UTF-8' }, body: JSON.stringify(feedContent) });
    const created = await sb.request('POST', '/feeds/2021-06-30/feeds', { token, body: { feedType: 'JSON_LISTINGS_FEED', marketplaceIds: [DE], inputFeedDocumentId: doc.body.feedDocumentId } });
    expect(created.status).toBe(202);
    let feed: any;
    const deadline = Date.now() + 10_000;
    do {
      feed = (await sb.request('GET', `/feeds/2021-06-30/feeds/${created.body.feedId}`, { token })).body;
      if (Date.now() > deadline) throw new Error(`feed stuck in ${feed.processingStatus}`);
      await new Promise((r) => setTimeout(r, 5));
    } while (feed.processingStatus !== 'DONE');
    const reportDoc = await sb.request('GET', `/feeds/2021-06-30/documents/${feed.resultFeedDocumentId}`, { token });
    const report = await (await fetch(reportDoc.body.url)).json();
    expect(report.header).toEqual({ sellerId: seller.sellerId, version: '2.0', feedId: created.body.feedId });
    expect(report.summary).toEqual({ errors: 2, warnings: 0, messagesProcessed: 4, messagesAccepted: 2, messagesInvalid: 2 });
    expect(report.issues).toEqual([
      expect.objectContaining({ messageId: 3, sku: 'SKU-C', severity: 'ERROR' }),
      expect.objectContaining({ messageId: 4, sku: 'SKU-B', severity: 'ERROR', attributeName: 'fulfillment_availability' }),
    ]);
    expect((await listing('SKU-A', DE)).attributes.fulfillment_availability[0].quantity).toBe(11);
    expect((await listing('SKU-B', DE)).attributes.fulfillment_availability[0].quantity).toBe(12);
    expect((await listing('SKU-C', DE)).attributes.fulfillment_availability).toBeUndefined();
    expect((await listing('SKU-A', FR)).attributes.fulfillment_availability[0].quantity).toBe(7);
    await sb.request('DELETE', '/_sandbox/listings/failures');
  });
});
