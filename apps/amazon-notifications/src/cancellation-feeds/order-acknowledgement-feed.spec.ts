import {
  buildOrderAcknowledgementFeed,
  cancelReasonOf,
  escapeXml,
  outcomesFromReport,
  parseProcessingReport,
  ProcessingReport,
} from './order-acknowledgement-feed';

/** Inner text of every <tag> in a document (test helper; flat tags only). */
const all = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m) => m[1]);

describe('buildOrderAcknowledgementFeed', () => {
  const xml = buildOrderAcknowledgementFeed('A2SELLER01', [
    { messageId: 1, amazonOrderId: '302-1111111-1111111', reason: 'NoInventory', orderItemIds: ['11111111111101', '11111111111102'] },
    { messageId: 2, amazonOrderId: '302-2222222-2222222', reason: 'BuyerCanceled', orderItemIds: ['22222222222201'] },
  ]);

  it('writes one envelope with the header, the message type and a Message per order', () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<AmazonEnvelope ')).toBe(true);
    expect(all(xml, 'AmazonEnvelope')).toHaveLength(0); // has attributes; checked by the prefix above
    expect(xml.trimEnd().endsWith('</AmazonEnvelope>')).toBe(true);
    expect(all(xml, 'Header')).toHaveLength(1);
    expect(all(xml, 'MerchantIdentifier')).toEqual(['A2SELLER01']);
    expect(all(xml, 'DocumentVersion')).toEqual(['1.01']);
    expect(all(xml, 'MessageType')).toEqual(['OrderAcknowledgement']);
    expect(xml.indexOf('<MessageType>')).toBeLessThan(xml.indexOf('<Message>'));
    expect(all(xml, 'Message')).toHaveLength(2);
  });

  it('gives each Message its MessageID, AmazonOrderID, StatusCode Failure and an Item with CancelReason per order item', () => {
    const [first, second] = all(xml, 'Message');
    expect(all(first, 'MessageID')).toEqual(['1']);
    expect(all(first, 'AmazonOrderID')).toEqual(['302-1111111-1111111']);
    expect(all(first, 'StatusCode')).toEqual(['Failure']);
    const items = all(first, 'Item');
    expect(items).toHaveLength(2);
    expect(items.map((i) => all(i, 'AmazonOrderItemCode')[0])).toEqual(['11111111111101', '11111111111102']);
    expect(items.map((i) => all(i, 'CancelReason')[0])).toEqual(['NoInventory', 'NoInventory']);
    // Amazon's order: AmazonOrderID, StatusCode, then the items.
    expect(first.indexOf('<AmazonOrderID>')).toBeLessThan(first.indexOf('<StatusCode>'));
    expect(first.indexOf('<StatusCode>')).toBeLessThan(first.indexOf('<Item>'));
    expect(all(second, 'MessageID')).toEqual(['2']);
    expect(all(second, 'CancelReason')).toEqual(['BuyerCanceled']);
  });

  it('names each order item once, and sends no Item when the order has none (the whole order)', () => {
    const doc = buildOrderAcknowledgementFeed('A2SELLER01', [
      { messageId: 7, amazonOrderId: '302-3', reason: 'NoInventory', orderItemIds: ['1', '1'] },
      { messageId: 8, amazonOrderId: '302-4', reason: 'NoInventory', orderItemIds: [] },
    ]);
    const [first, second] = all(doc, 'Message');
    expect(all(first, 'Item')).toHaveLength(1);
    expect(all(second, 'Item')).toHaveLength(0);
  });

  it('uses GeneralAdjustment when the reason is missing or not one of Amazon\'s', () => {
    expect(cancelReasonOf(null)).toBe('GeneralAdjustment');
    expect(cancelReasonOf('Because')).toBe('GeneralAdjustment');
    expect(cancelReasonOf('ShippingAddressUndeliverable')).toBe('ShippingAddressUndeliverable');
    const doc = buildOrderAcknowledgementFeed('A2SELLER01', [{ messageId: 1, amazonOrderId: '302-5', reason: '<script>', orderItemIds: ['9'] }]);
    expect(all(doc, 'CancelReason')).toEqual(['GeneralAdjustment']);
  });

  it('escapes text, drops characters XML forbids, and refuses duplicate, non-positive or no MessageIDs', () => {
    expect(escapeXml(`a&b<c>"d"'e'\u0001\u000Bf\tg`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;f\tg');
    const doc = buildOrderAcknowledgementFeed('A&B', [{ messageId: 1, amazonOrderId: '30<2>', reason: 'NoInventory', orderItemIds: ['x&y'] }]);
    expect(all(doc, 'MerchantIdentifier')).toEqual(['A&amp;B']);
    expect(all(doc, 'AmazonOrderID')).toEqual(['30&lt;2&gt;']);
    expect(all(doc, 'AmazonOrderItemCode')).toEqual(['x&amp;y']);
    const message = { amazonOrderId: '1', reason: null, orderItemIds: [] };
    expect(() => buildOrderAcknowledgementFeed('S', [])).toThrow(/at least one/);
    expect(() => buildOrderAcknowledgementFeed('S', [{ ...message, messageId: 1 }, { ...message, messageId: 1 }])).toThrow(/twice/);
    expect(() => buildOrderAcknowledgementFeed('S', [{ ...message, messageId: 0 }])).toThrow(/positive/);
    expect(() => buildOrderAcknowledgementFeed('S', [{ ...message, messageId: 1.5 }])).toThrow(/positive/);
  });
});

/** A processing report as Amazon writes it (same shape as the sandbox's and Amazon's documented sample). */
const REPORT = `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.02</DocumentVersion>
    <MerchantIdentifier>A2SELLER01</MerchantIdentifier>
  </Header>
  <MessageType>ProcessingReport</MessageType>
  <Message>
    <MessageID>1</MessageID>
    <ProcessingReport>
      <DocumentTransactionID>50000001013</DocumentTransactionID>
      <StatusCode>Complete</StatusCode>
      <ProcessingSummary>
        <MessagesProcessed>4</MessagesProcessed>
        <MessagesSuccessful>2</MessagesSuccessful>
        <MessagesWithError>2</MessagesWithError>
        <MessagesWithWarning>1</MessagesWithWarning>
      </ProcessingSummary>
      <Result>
        <MessageID>2</MessageID>
        <ResultCode>Error</ResultCode>
        <ResultMessageCode>18256</ResultMessageCode>
        <ResultDescription>Order 302-2 is Shipped &amp; can no longer be cancelled.</ResultDescription>
        <AdditionalInfo>
          <AmazonOrderID>302-2</AmazonOrderID>
        </AdditionalInfo>
      </Result>
      <Result>
        <MessageID>3</MessageID>
        <ResultCode>Warning</ResultCode>
        <ResultMessageCode>18258</ResultMessageCode>
        <ResultDescription><![CDATA[Order 302-3 was already cancelled.]]></ResultDescription>
      </Result>
      <Result>
        <MessageID>4</MessageID>
        <ResultCode>Error</ResultCode>
        <ResultMessageCode>25</ResultMessageCode>
        <ResultDescription>Order 302-4 was not found.</ResultDescription>
      </Result>
      <Result>
        <MessageID>4</MessageID>
        <ResultCode>Error</ResultCode>
        <ResultMessageCode>18029</ResultMessageCode>
        <ResultDescription>Order item 9 does not belong to order 302-4.</ResultDescription>
      </Result>
    </ProcessingReport>
  </Message>
</AmazonEnvelope>`;

const messages = [1, 2, 3, 4].map((id) => ({ messageId: id, amazonOrderId: `302-${id}` }));

describe('parseProcessingReport', () => {
  it('reads the status, the summary and every result with its MessageID, code, description and order', () => {
    const report = parseProcessingReport(REPORT);
    expect(report.statusCode).toBe('Complete');
    expect(report.summary).toEqual({ processed: 4, successful: 2, withError: 2, withWarning: 1 });
    expect(report.results).toHaveLength(4);
    expect(report.results[0]).toEqual({ messageId: 2, resultCode: 'Error', resultMessageCode: '18256', description: 'Order 302-2 is Shipped & can no longer be cancelled.', amazonOrderId: '302-2' });
    expect(report.results[1]).toEqual({ messageId: 3, resultCode: 'Warning', resultMessageCode: '18258', description: 'Order 302-3 was already cancelled.' });
  });

  it('treats a MessageID of 0, a missing one or a non-number as naming no message', () => {
    const report = parseProcessingReport(`<AmazonEnvelope><Message><MessageID>1</MessageID><ProcessingReport><StatusCode>Complete</StatusCode>
      <Result><MessageID>0</MessageID><ResultCode>Error</ResultCode><ResultMessageCode>5001</ResultMessageCode><ResultDescription>XML parsing error</ResultDescription></Result>
      <Result><ResultCode>Error</ResultCode><ResultDescription>no id</ResultDescription></Result>
      <Result><MessageID>abc</MessageID><ResultCode>Error</ResultCode><ResultDescription>odd id</ResultDescription></Result>
    </ProcessingReport></Message></AmazonEnvelope>`);
    expect(report.summary).toBeUndefined();
    expect(report.results.map((r) => r.messageId)).toEqual([undefined, undefined, undefined]);
    expect(report.results.map((r) => r.description)).toEqual(['XML parsing error', 'no id', 'odd id']);
  });

  it('reads numeric character references and namespace-prefixed tags, and refuses what is no processing report', () => {
    const report = parseProcessingReport(`<ns:ProcessingReport xmlns:ns="x"><ns:StatusCode>Complete</ns:StatusCode><ns:Result><ns:MessageID>5</ns:MessageID><ns:ResultCode>Error</ns:ResultCode><ns:ResultDescription>caf&#233; &#x263A;</ns:ResultDescription></ns:Result></ns:ProcessingReport>`);
    expect(report.results).toEqual([{ messageId: 5, resultCode: 'Error', description: 'café ☺' }]);
    expect(() => parseProcessingReport('<html>503 Service Unavailable</html>')).toThrow(/ProcessingReport/);
  });
});

describe('outcomesFromReport', () => {
  it('gives each order its own outcome: errors fail it with Amazon\'s words, warnings and silence mean sent', () => {
    const outcomes = outcomesFromReport(messages, parseProcessingReport(REPORT));
    expect(outcomes.get(1)).toEqual({ kind: 'sent', results: [] });
    expect(outcomes.get(2)).toMatchObject({ kind: 'failed', error: '18256: Order 302-2 is Shipped & can no longer be cancelled.' });
    expect(outcomes.get(3)).toMatchObject({ kind: 'sent', results: [expect.objectContaining({ resultCode: 'Warning' })] });
    expect(outcomes.get(4)).toMatchObject({ kind: 'failed', error: '25: Order 302-4 was not found.; 18029: Order item 9 does not belong to order 302-4.' });
  });

  it('does not fail the batch for an error that names no message: the others are sent again, those with their own error fail', () => {
    const report: ProcessingReport = {
      statusCode: 'Complete',
      results: [
        { messageId: 2, resultCode: 'Error', description: 'Shipped' },
        { resultCode: 'Error', resultMessageCode: '90208', description: 'Something went wrong with the document' },
      ],
    };
    const outcomes = outcomesFromReport(messages, report);
    expect(outcomes.get(2)).toMatchObject({ kind: 'failed', error: 'Shipped' });
    for (const id of [1, 3, 4]) {
      expect(outcomes.get(id)).toMatchObject({ kind: 'resend', reason: expect.stringContaining('90208: Something went wrong with the document') });
    }
  });

  it('attributes a result without MessageID to the order it names, and ignores an unattributed warning', () => {
    const report: ProcessingReport = {
      results: [
        { resultCode: 'Error', description: 'cannot cancel', amazonOrderId: '302-3' },
        { resultCode: 'Warning', description: 'something minor' },
      ],
    };
    const outcomes = outcomesFromReport(messages, report);
    expect(outcomes.get(3)).toMatchObject({ kind: 'failed', error: 'cannot cancel' });
    expect([1, 2, 4].map((id) => outcomes.get(id)!.kind)).toEqual(['sent', 'sent', 'sent']);
  });

  it('sends again the orders without a result when the report processed fewer messages than were sent', () => {
    const outcomes = outcomesFromReport(messages, { summary: { processed: 2, successful: 1, withError: 1, withWarning: 0 }, results: [{ messageId: 1, resultCode: 'Error', description: 'x' }] });
    expect(outcomes.get(1)!.kind).toBe('failed');
    expect([2, 3, 4].map((id) => outcomes.get(id))).toEqual([2, 3, 4].map(() => expect.objectContaining({ kind: 'resend', reason: expect.stringContaining('2 of 4') })));
  });
});
