import { CancelReason } from '@connector/contracts';

/**
 * The POST_ORDER_ACKNOWLEDGEMENT_DATA feed that tells Amazon about the seller's cancellations
 * (one Message per order, StatusCode Failure, a CancelReason per item), and the XML
 * processing report Amazon answers with. Plain string work: the shapes are small and fixed.
 */

export const ORDER_ACKNOWLEDGEMENT_FEED_TYPE = 'POST_ORDER_ACKNOWLEDGEMENT_DATA';
export const DEFAULT_CANCEL_REASON = CancelReason.GeneralAdjustment;

const CANCEL_REASONS = new Set<string>(Object.values(CancelReason));

export interface CancellationMessage {
  /** Unique within the feed, 1 and up. */
  messageId: number;
  amazonOrderId: string;
  /** Amazon's CancelReason; anything else (or none) becomes GeneralAdjustment. */
  reason: string | null | undefined;
  /** The order items cancelled; none means the whole order. */
  orderItemIds: string[];
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .split('')
    .filter(allowedInXml)
    .join('');
}

/** XML 1.0 allows no control characters but tab, line feed and carriage return, nor U+FFFE/U+FFFF. */
function allowedInXml(char: string): boolean {
  const code = char.charCodeAt(0);
  return (code >= 0x20 || code === 0x09 || code === 0x0a || code === 0x0d) && code !== 0xfffe && code !== 0xffff;
}

export function cancelReasonOf(reason: string | null | undefined): CancelReason {
  return reason && CANCEL_REASONS.has(reason) ? (reason as CancelReason) : DEFAULT_CANCEL_REASON;
}

/** One OrderAcknowledgement envelope for the seller `merchantIdentifier`, a Message per order. */
export function buildOrderAcknowledgementFeed(merchantIdentifier: string, messages: CancellationMessage[]): string {
  if (messages.length === 0) throw new Error('an order acknowledgement feed needs at least one message');
  const ids = new Set<number>();
  for (const message of messages) {
    if (!Number.isSafeInteger(message.messageId) || message.messageId < 1) throw new Error(`MessageID must be a positive integer, got ${message.messageId}`);
    if (ids.has(message.messageId)) throw new Error(`MessageID ${message.messageId} is used twice`);
    ids.add(message.messageId);
  }
  const body = messages
    .map((message) => {
      const reason = cancelReasonOf(message.reason);
      const items = [...new Set(message.orderItemIds)]
        .map(
          (code) => `
      <Item>
        <AmazonOrderItemCode>${escapeXml(code)}</AmazonOrderItemCode>
        <CancelReason>${reason}</CancelReason>
      </Item>`,
        )
        .join('');
      return `
  <Message>
    <MessageID>${message.messageId}</MessageID>
    <OrderAcknowledgement>
      <AmazonOrderID>${escapeXml(message.amazonOrderId)}</AmazonOrderID>
      <StatusCode>Failure</StatusCode>${items}
    </OrderAcknowledgement>
  </Message>`;
    })
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="amzn-envelope.xsd">
  <Header>
    <DocumentVersion>1.01</DocumentVersion>
    <MerchantIdentifier>${escapeXml(merchantIdentifier)}</MerchantIdentifier>
  </Header>
  <MessageType>OrderAcknowledgement</MessageType>${body}
</AmazonEnvelope>
`;
}

// ---- processing report ----

export interface ReportResult {
  /** The message the result is about; undefined when the report names none (or 0: the document). */
  messageId?: number;
  resultCode: string;
  resultMessageCode?: string;
  description: string;
  amazonOrderId?: string;
}

export interface ProcessingReport {
  statusCode?: string;
  summary?: { processed: number; successful: number; withError: number; withWarning: number };
  results: ReportResult[];
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(value: string): string {
  return value.replace(/<!\[CDATA\[([\s\S]*?)\]\]>|&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, cdata: string | undefined, entity: string | undefined) => {
    if (cdata !== undefined) return cdata;
    if (entity![0] === '#') {
      const code = entity![1].toLowerCase() === 'x' ? parseInt(entity!.slice(2), 16) : parseInt(entity!.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    }
    return XML_ENTITIES[entity!] ?? match;
  });
}

/** Inner XML of each <tag> (with or without attributes and a namespace prefix); not for nested same-name tags. */
function elements(xml: string, tag: string): string[] {
  const re = new RegExp(`<(?:[\\w.-]+:)?${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${tag}\\s*>`, 'g');
  return [...xml.matchAll(re)].map((match) => match[1]);
}

function text(xml: string, tag: string): string | undefined {
  const first = elements(xml, tag)[0];
  return first === undefined ? undefined : decodeXml(first).trim();
}

function count(xml: string, tag: string): number {
  const value = text(xml, tag);
  const n = value === undefined ? NaN : Number(value);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

/**
 * Reads Amazon's XML processing report: the status, the summary, and every Result. A Result
 * whose MessageID is missing, 0 or not a number names no message: it is about the document.
 */
export function parseProcessingReport(xml: string): ProcessingReport {
  const report = elements(xml, 'ProcessingReport')[0];
  if (report === undefined) throw new Error('not a processing report: no ProcessingReport element');
  const summaryXml = elements(report, 'ProcessingSummary')[0];
  const summary =
    summaryXml === undefined
      ? undefined
      : {
          processed: count(summaryXml, 'MessagesProcessed'),
          successful: count(summaryXml, 'MessagesSuccessful'),
          withError: count(summaryXml, 'MessagesWithError'),
          withWarning: count(summaryXml, 'MessagesWithWarning'),
        };
  const results = elements(report, 'Result').map((result): ReportResult => {
    const rawId = text(result, 'MessageID');
    const id = rawId !== undefined && /^\d+$/.test(rawId) ? Number(rawId) : undefined;
    const additional = elements(result, 'AdditionalInfo')[0];
    return {
      ...(id !== undefined && id > 0 ? { messageId: id } : {}),
      resultCode: text(result, 'ResultCode') ?? 'Error',
      ...(text(result, 'ResultMessageCode') !== undefined ? { resultMessageCode: text(result, 'ResultMessageCode') } : {}),
      description: text(result, 'ResultDescription') ?? '',
      ...(additional !== undefined && text(additional, 'AmazonOrderID') ? { amazonOrderId: text(additional, 'AmazonOrderID') } : {}),
    };
  });
  return { statusCode: text(report, 'StatusCode'), ...(summary ? { summary } : {}), results };
}

// ---- outcome per order ----

export type MessageOutcome =
  | { kind: 'sent'; results: ReportResult[] }
  | { kind: 'failed'; error: string; results: ReportResult[] }
  /** Amazon's answer does not tell what became of this order: send it again in a new feed. */
  | { kind: 'resend'; reason: string; results: ReportResult[] };

/**
 * Decides each message's outcome from a DONE feed's report. A message with an Error result of
 * its own failed, with Amazon's words; one with only warnings (or nothing) was accepted. A
 * result that names no message of ours (and no order of ours) fails nobody: it makes every
 * message without its own result unknowable, so those are sent again (cancelling an order
 * twice only earns a warning). So does a report that processed fewer messages than were sent.
 */
export function outcomesFromReport(messages: { messageId: number; amazonOrderId: string }[], report: ProcessingReport): Map<number, MessageOutcome> {
  const byId = new Map(messages.map((m) => [m.messageId, m]));
  const byOrder = new Map(messages.map((m) => [m.amazonOrderId, m]));
  const own = new Map<number, ReportResult[]>();
  const unattributed: ReportResult[] = [];
  for (const result of report.results) {
    const message = (result.messageId !== undefined ? byId.get(result.messageId) : undefined) ?? (result.amazonOrderId !== undefined ? byOrder.get(result.amazonOrderId) : undefined);
    // A result that names a message and an order of different messages is the order's (Amazon keys the outcome by order).
    const target = message && result.amazonOrderId !== undefined && message.amazonOrderId !== result.amazonOrderId ? byOrder.get(result.amazonOrderId) : message;
    if (!target) {
      unattributed.push(result);
      continue;
    }
    own.set(target.messageId, [...(own.get(target.messageId) ?? []), result]);
  }
  const unattributedErrors = unattributed.filter((r) => isError(r));
  const processedTooFew = report.summary !== undefined && report.summary.processed < messages.length;
  const unknown =
    unattributedErrors.length > 0
      ? `the processing report holds an error for no message of ours: ${describe(unattributedErrors)}`
      : processedTooFew
        ? `the processing report counts ${report.summary!.processed} of ${messages.length} messages processed`
        : undefined;

  const outcomes = new Map<number, MessageOutcome>();
  for (const message of messages) {
    const results = own.get(message.messageId) ?? [];
    const errors = results.filter((r) => isError(r));
    if (errors.length > 0) outcomes.set(message.messageId, { kind: 'failed', error: describe(errors), results });
    else if (unknown && results.length === 0) outcomes.set(message.messageId, { kind: 'resend', reason: unknown, results: unattributed });
    else outcomes.set(message.messageId, { kind: 'sent', results });
  }
  return outcomes;
}

function isError(result: ReportResult): boolean {
  return result.resultCode.toLowerCase() !== 'warning';
}

function describe(results: ReportResult[]): string {
  return results.map((r) => `${r.resultMessageCode ? `${r.resultMessageCode}: ` : ''}${r.description || r.resultCode}`).join('; ');
}
