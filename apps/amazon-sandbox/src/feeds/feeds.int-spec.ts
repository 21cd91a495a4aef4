import { SandboxTestClient, TestSeller } from '../testing/sandbox-test-client';

describe('Feeds 2021-06-30', () => {
  let sb: SandboxTestClient;
  let seller: TestSeller;
  let token: string;

  beforeAll(async () => {
    sb = await SandboxTestClient.start({ rateLimits: false, timeScale: 20 });
    seller = await sb.seedSeller();
    token = await sb.accessToken(seller);
  });
  afterAll(() => sb.close());

  async function submitFeed(feedType: string, content: string) {
    const doc = await sb.request('POST', '/feeds/2021-06-30/documents', { token, body: { contentType: 'text/xml; charset=UTF-8' } });
    expect(doc.status).toBe(201);
    expect(doc.body).toEqual({ feedDocumentId: expect.any(String), url: expect.stringContaining('/_sandbox/uploads/') });
    const put = await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'text/xml; charset=UTF-8' }, body: content });
    expect(put.status).toBe(200);
    const feed = await sb.request('POST', '/feeds/2021-06-30/feeds', { token, body: { feedType, marketplaceIds: ['A1PA6795UKMFR9'], inputFeedDocumentId: doc.body.feedDocumentId } });
    expect(feed.status).toBe(202);
    return feed.body.feedId as string;
  }

  async function waitDone(feedId: string) {
    const statuses = new Set<string>();
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await sb.request('GET', `/feeds/2021-06-30/feeds/${feedId}`, { token });
      expect(res.status).toBe(200);
      statuses.add(res.body.processingStatus);
      if (res.body.processingStatus === 'DONE' || res.body.processingStatus === 'FATAL') return { feed: res.body, statuses };
      if (Date.now() > deadline) throw new Error(`feed ${feedId} stuck in ${res.body.processingStatus}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async function report(feed: { resultFeedDocumentId: string }) {
    const doc = await sb.request('GET', `/feeds/2021-06-30/documents/${feed.resultFeedDocumentId}`, { token });
    expect(doc.status).toBe(200);
    const res = await fetch(doc.body.url);
    return res.text();
  }

  const ack = (messages: { id: number; orderId: string; status: string; items?: { code: string; reason?: string }[] }[]) => `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${seller.sellerId}</MerchantIdentifier></Header>
  <MessageType>OrderAcknowledgement</MessageType>
  ${messages
    .map(
      (m) => `<Message><MessageID>${m.id}</MessageID><OrderAcknowledgement><AmazonOrderID>${m.orderId}</AmazonOrderID><StatusCode>${m.status}</StatusCode>${(m.items ?? [])
        .map((i) => `<Item><AmazonOrderItemCode>${i.code}</AmazonOrderItemCode>${i.reason ? `<CancelReason>${i.reason}</CancelReason>` : ''}</Item>`)
        .join('')}</OrderAcknowledgement></Message>`,
    )
    .join('\n  ')}
</AmazonEnvelope>`;

  it('cancels orders with POST_ORDER_ACKNOWLEDGEMENT_DATA and reports a result per failed message', async () => {
    const [unshipped, unshipped2] = await sb.generate(seller.sellerId, { count: 2, seed: 'ack-u', fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    const [shipped] = await sb.generate(seller.sellerId, { count: 1, seed: 'ack-s', fulfilledBy: 'MERCHANT', statuses: ['SHIPPED'] });
    const order = (await sb.request('GET', `/_sandbox/orders/${unshipped}`)).body.order;
    const order2 = (await sb.request('GET', `/_sandbox/orders/${unshipped2}`)).body.order;
    const feedId = await submitFeed(
      'POST_ORDER_ACKNOWLEDGEMENT_DATA',
      ack([
        { id: 1, orderId: unshipped, status: 'Failure', items: order.orderItems.map((i: any) => ({ code: i.orderItemId, reason: 'NoInventory' })) },
        { id: 2, orderId: shipped, status: 'Failure', items: [] },
        { id: 3, orderId: '999-0000000-0000000', status: 'Failure' },
        { id: 4, orderId: unshipped2, status: 'Failure', items: [{ code: order2.orderItems[0].orderItemId }] },
      ]),
    );
    const { feed, statuses } = await waitDone(feedId);
    expect(statuses.has('DONE')).toBe(true);
    expect(feed).toEqual(expect.objectContaining({ feedId, feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', processingStatus: 'DONE', resultFeedDocumentId: expect.any(String), processingEndTime: expect.any(String) }));

    const cancelled = (await sb.request('GET', `/orders/2026-01-01/orders/${unshipped}?includedData=FULFILLMENT,CANCELLATION`, { token })).body.order;
    expect(cancelled.fulfillment.fulfillmentStatus).toBe('CANCELLED');
    expect(cancelled.orderItems[0].cancellation.cancellationExecution).toEqual({ cancelledBy: 'MERCHANT', cancelReason: 'NoInventory' });
    expect((await sb.request('GET', `/_sandbox/orders/${shipped}`)).body.order.fulfillment.fulfillmentStatus).toBe('SHIPPED');
    expect((await sb.request('GET', `/_sandbox/orders/${unshipped2}`)).body.order.fulfillment.fulfillmentStatus).toBe('UNSHIPPED');

    const xml = await report(feed);
    expect(xml).toContain('<MessageType>ProcessingReport</MessageType>');
    expect(xml).toContain('<MessagesProcessed>4</MessagesProcessed>');
    expect(xml).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    expect(xml).toContain('<MessagesWithError>3</MessagesWithError>');
    expect(xml).toMatch(/<MessageID>2<\/MessageID>\s*<ResultCode>Error<\/ResultCode>[\s\S]*?Shipped/);
    expect(xml).toMatch(/<MessageID>3<\/MessageID>\s*<ResultCode>Error<\/ResultCode>[\s\S]*?not found/);
    expect(xml).toMatch(/<MessageID>4<\/MessageID>\s*<ResultCode>Error<\/ResultCode>[\s\S]*?CancelReason/);

    const inspect = await sb.request('GET', `/_sandbox/feeds?sellerId=${seller.sellerId}`);
    const seen = inspect.body.feeds.find((f: any) => f.feedId === feedId);
    expect(seen.messages).toHaveLength(4);
    expect(seen.messages[0]).toEqual(expect.objectContaining({ messageId: '1', amazonOrderId: unshipped, statusCode: 'Failure' }));
    expect(seen.content).toContain('<OrderAcknowledgement>');
    expect(seen.summary).toEqual({ processed: 4, successful: 1, withError: 3, withWarning: 0 });

    // Cancelling again is harmless: a warning, no error.
    const again = await waitDone(await submitFeed('POST_ORDER_ACKNOWLEDGEMENT_DATA', ack([{ id: 1, orderId: unshipped, status: 'Failure', items: [{ code: order.orderItems[0].orderItemId, reason: 'NoInventory' }] }])));
    const againXml = await report(again.feed);
    expect(againXml).toContain('<MessagesWithError>0</MessagesWithError>');
    expect(againXml).toContain('<MessagesWithWarning>1</MessagesWithWarning>');
  });

  it('cancels units of an item with POST_PAYMENT_ADJUSTMENT_DATA QuantityCancelled: the item keeps the rest, proceeds and total shrink', async () => {
    const money = (amount: string) => ({ amount, currencyCode: 'EUR' });
    const orderId = '305-0000001-0000014';
    const item = (orderItemId: string, quantityOrdered: number, amount: string) => ({
      orderItemId,
      quantityOrdered,
      product: { sellerSku: `SKU-${orderItemId}` },
      proceeds: { proceedsTotal: money(amount), breakdowns: [{ type: 'ITEM', subtotal: money(amount), detailedBreakdowns: [{ subtype: 'ITEM', value: money(amount) }] }] },
    });
    const created = await sb.request('POST', `/_sandbox/sellers/${seller.sellerId}/orders`, {
      body: {
        orderId,
        createdTime: '2026-01-01T00:00:00Z',
        lastUpdatedTime: '2026-01-01T00:00:00Z',
        salesChannel: { channelName: 'Amazon.de', marketplaceId: 'A1PA6795UKMFR9' },
        fulfillment: { fulfillmentStatus: 'UNSHIPPED', fulfilledBy: 'MERCHANT' },
        proceeds: { grandTotal: money('40.00') },
        orderItems: [item('31', 3, '30.00'), item('32', 1, '10.00')],
      },
    });
    expect(created.status).toBe(201);
    const adjustment = (messages: { id: number; items: { code: string; reason: string; quantity: string }[] }[]) => `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>${seller.sellerId}</MerchantIdentifier></Header>
  <MessageType>OrderAdjustment</MessageType>
  ${messages
    .map(
      (m) => `<Message><MessageID>${m.id}</MessageID><OrderAdjustment><AmazonOrderID>${orderId}</AmazonOrderID>${m.items
        .map((i) => `<AdjustedItem><AmazonOrderItemCode>${i.code}</AmazonOrderItemCode><AdjustmentReason>${i.reason}</AdjustmentReason><QuantityCancelled>${i.quantity}</QuantityCancelled></AdjustedItem>`)
        .join('')}</OrderAdjustment></Message>`,
    )
    .join('\n  ')}
</AmazonEnvelope>`;

    const done = await waitDone(
      await submitFeed(
        'POST_PAYMENT_ADJUSTMENT_DATA',
        adjustment([
          { id: 1, items: [{ code: '31', reason: 'NoInventory', quantity: '1' }] },
          // Refused whole: more units than item 32 has, so item 31's second unit in the same message stays too.
          { id: 2, items: [{ code: '31', reason: 'NoInventory', quantity: '1' }, { code: '32', reason: 'NoInventory', quantity: '2' }] },
          { id: 3, items: [{ code: '31', reason: 'CustomerReturn', quantity: '1' }] },
          { id: 4, items: [{ code: '99', reason: 'NoInventory', quantity: '1' }] },
        ]),
      ),
    );
    const xml = await report(done.feed);
    expect(xml).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    expect(xml).toMatch(/<MessageID>2<\/MessageID>\s*<ResultCode>Error<\/ResultCode>[\s\S]*?QuantityCancelled for order item 32 must be 1 to 1/);
    expect(xml).toMatch(/<MessageID>3<\/MessageID>\s*<ResultCode>Error<\/ResultCode>[\s\S]*?AdjustmentReason/);
    expect(xml).toMatch(/<MessageID>4<\/MessageID>\s*<ResultCode>Error<\/ResultCode>[\s\S]*?does not belong/);

    const after = (await sb.request('GET', `/_sandbox/orders/${orderId}`)).body.order;
    expect(after.fulfillment.fulfillmentStatus).toBe('UNSHIPPED');
    expect(after.orderItems[0].quantityOrdered).toBe(2);
    expect(after.orderItems[0].proceeds.proceedsTotal.amount).toBe('20.00');
    expect(after.orderItems[0].proceeds.breakdowns[0].subtotal.amount).toBe('20.00');
    expect(after.orderItems[0].proceeds.breakdowns[0].detailedBreakdowns[0].value.amount).toBe('20.00');
    expect(after.orderItems[0].cancellation).toBeUndefined();
    expect(after.orderItems[1].quantityOrdered).toBe(1);
    expect(after.proceeds.grandTotal.amount).toBe('30.00');

    // Cancelling every unit left cancels the items and then the order.
    await waitDone(
      await submitFeed(
        'POST_PAYMENT_ADJUSTMENT_DATA',
        adjustment([{ id: 1, items: [{ code: '31', reason: 'BuyerCanceled', quantity: '2' }, { code: '32', reason: 'BuyerCanceled', quantity: '1' }] }]),
      ),
    );
    const gone = (await sb.request('GET', `/_sandbox/orders/${orderId}`)).body.order;
    expect(gone.fulfillment.fulfillmentStatus).toBe('CANCELLED');
    expect(gone.orderItems[0].cancellation.cancellationExecution).toEqual({ cancelledBy: 'MERCHANT', cancelReason: 'BuyerCanceled' });
    expect(gone.proceeds.grandTotal.amount).toBe('0.00');
  });

  it('accepts POST_ORDER_FULFILLMENT_DATA and marks a feed without an envelope FATAL', async () => {
    const [id] = await sb.generate(seller.sellerId, { count: 1, seed: 'ful', fulfilledBy: 'MERCHANT', statuses: ['UNSHIPPED'] });
    const ok = await waitDone(
      await submitFeed(
        'POST_ORDER_FULFILLMENT_DATA',
        `<AmazonEnvelope><Header><DocumentVersion>1.01</DocumentVersion><MerchantIdentifier>x</MerchantIdentifier></Header><MessageType>OrderFulfillment</MessageType><Message><MessageID>1</MessageID><OrderFulfillment><AmazonOrderID>${id}</AmazonOrderID><FulfillmentDate>2026-01-01T00:00:00Z</FulfillmentDate></OrderFulfillment></Message></AmazonEnvelope>`,
      ),
    );
    expect(ok.feed.processingStatus).toBe('DONE');
    expect(await report(ok.feed)).toContain('<MessagesSuccessful>1</MessagesSuccessful>');
    const fatal = await waitDone(await submitFeed('POST_ORDER_ACKNOWLEDGEMENT_DATA', 'not xml at all'));
    expect(fatal.feed.processingStatus).toBe('FATAL');
  });

  it('validates createFeed and hides other sellers\' feeds', async () => {
    const bad = await sb.request('POST', '/feeds/2021-06-30/feeds', { token, body: { feedType: 'POST_ORDER_ACKNOWLEDGEMENT_DATA', marketplaceIds: [], inputFeedDocumentId: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.details).sort()).toEqual(['inputFeedDocumentId', 'marketplaceIds']);
    expect((await sb.request('GET', '/feeds/2021-06-30/feeds/123', { token })).status).toBe(404);
    const feedId = await submitFeed('POST_ORDER_FULFILLMENT_DATA', '<AmazonEnvelope></AmazonEnvelope>');
    const other = await sb.seedSeller({ sellerId: 'A2OTHER', refreshToken: 'Atzr|other' });
    const otherToken = await sb.accessToken(other);
    expect((await sb.request('GET', `/feeds/2021-06-30/feeds/${feedId}`, { token: otherToken })).status).toBe(404);
  });
  it('lists feeds with getFeeds by type, status and creation time, newest first, in pages', async () => {
    const content = ack([]);
    const first = await submitFeed('POST_FLAT_FILE_TEST_DATA', content);
    const second = await submitFeed('POST_FLAT_FILE_TEST_DATA', content);
    const third = await submitFeed('POST_FLAT_FILE_TEST_DATA', content);
    const list = await sb.request('GET', '/feeds/2021-06-30/feeds?feedTypes=POST_FLAT_FILE_TEST_DATA&marketplaceIds=A1PA6795UKMFR9&pageSize=2', { token });
    expect(list.status).toBe(200);
    expect(list.body.feeds.map((f: { feedId: string }) => f.feedId)).toEqual([third, second]);
    const next = await sb.request('GET', `/feeds/2021-06-30/feeds?nextToken=${list.body.nextToken}`, { token });
    expect(next.body).toEqual({ feeds: [expect.objectContaining({ feedId: first, feedType: 'POST_FLAT_FILE_TEST_DATA' })] });
    await waitDone(third);
    const done = await sb.request('GET', '/feeds/2021-06-30/feeds?feedTypes=POST_FLAT_FILE_TEST_DATA&processingStatuses=IN_QUEUE,IN_PROGRESS', { token });
    expect(done.body.feeds).toEqual([]);
    const future = await sb.request('GET', `/feeds/2021-06-30/feeds?feedTypes=POST_FLAT_FILE_TEST_DATA&createdSince=${new Date(Date.now() + 86_400_000).toISOString()}`, { token });
    expect(future.body.feeds).toEqual([]);
    expect((await sb.request('GET', '/feeds/2021-06-30/feeds', { token })).status).toBe(400);
    expect((await sb.request('GET', '/feeds/2021-06-30/feeds?feedTypes=X&processingStatuses=LOST', { token })).status).toBe(400);
  });

  it('a lost answer (fault loseAnswer): createFeed makes the feed, its caller gets a 503', async () => {
    const before = (await sb.request('GET', '/feeds/2021-06-30/feeds?feedTypes=POST_FLAT_FILE_LOST', { token })).body.feeds.length;
    await sb.request('POST', '/_sandbox/faults', { body: { operation: 'createFeed', sellerId: seller.sellerId, status: 503, count: 1, loseAnswer: true } });
    const doc = await sb.request('POST', '/feeds/2021-06-30/documents', { token, body: { contentType: 'text/xml; charset=UTF-8' } });
    await fetch(doc.body.url, { method: 'PUT', headers: { 'content-type': 'text/xml; charset=UTF-8' }, body: ack([]) });
    const lost = await sb.request('POST', '/feeds/2021-06-30/feeds', { token, body: { feedType: 'POST_FLAT_FILE_LOST', marketplaceIds: ['A1PA6795UKMFR9'], inputFeedDocumentId: doc.body.feedDocumentId } });
    expect(lost.status).toBe(503);
    const feeds = (await sb.request('GET', '/feeds/2021-06-30/feeds?feedTypes=POST_FLAT_FILE_LOST', { token })).body.feeds;
    expect(feeds).toHaveLength(before + 1);
    // Used up: the next call is answered.
    const again = await sb.request('POST', '/feeds/2021-06-30/feeds', { token, body: { feedType: 'POST_FLAT_FILE_LOST', marketplaceIds: ['A1PA6795UKMFR9'], inputFeedDocumentId: doc.body.feedDocumentId } });
    expect(again.status).toBe(202);
    expect((await sb.request('GET', '/_sandbox/faults')).body.rules).toEqual([]);
  });
});
