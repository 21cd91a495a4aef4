import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, SetMetadata } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Page } from '@connector/contracts';
import { newRowId } from '@connector/persistence';
import { listPage, SETTINGS } from '@connector/platform';
import { housekeeping } from '@connector/workers';
import type { GatewaySettings } from '../gateway.settings';
import { AuditEntryView, ListAuditRequest } from './api-key.messages';
import { AuditEntry } from './audit-entry.entity';
import type { Caller } from './api-keys.service';

/** Field names whose values never reach the audit log. */
const SECRET_FIELD = /secret|token|password|passphrase|^key$|apikey|credential/i;

const MAX_DEPTH = 8;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MAX_STRING = 2000;

/**
 * What of a request body goes into the audit log: every secret-looking field's value replaced,
 * strings made well-formed (PostgreSQL's jsonb refuses a lone surrogate) and bounded, nesting cut
 * at a depth, so whatever a caller sends, the entry can be written.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\ufffd').split('\u0000').join('').slice(0, MAX_STRING);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[nested too deep]';
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => redactSecrets(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .slice(0, 100)
      .map(([key, item]) => [redactSecrets(key) as string, SECRET_FIELD.test(key) ? '[redacted]' : redactSecrets(item, depth + 1)]),
  );
}

/** The methods that change something: what the audit log holds. */
export function isChange(method: string): boolean {
  return ['POST', 'PUT', 'PATCH', 'DELETE'].includes(method);
}

/** An HTTP request as the audit log describes it. */
export interface AuditedRequest {
  method: string;
  originalUrl?: string;
  url?: string;
  route?: { path?: string };
  body?: unknown;
  /** Set when the route wrote its own entries (one per item, recordEach): the request's own is then not written. */
  auditedEach?: boolean;
  /** What the request's entry holds instead of its body (see AuditChanges): written as is, not cut to 100 items. */
  auditChanges?: object;
}

export const AUDIT_CHANGES = 'audit:changes';

/**
 * The request's entry holds `compact(body)` instead of the body (which redactSecrets cuts to 100
 * items): for a route whose body is a long list (an import), a short line for each item. `compact`
 * gets the body as sent, before validation, and must keep no secret; its strings are cleaned as a
 * body's are (cleanAuditText). The route may replace it once it knows more (the ids it created).
 */
export const AuditChanges = (compact: (body: unknown) => object) => SetMetadata(AUDIT_CHANGES, compact);

/** A caller's string as the audit log may hold it: well-formed, no NUL, bounded (as in redactSecrets). */
export function cleanAuditText(value: unknown): unknown {
  return typeof value === 'string' ? redactSecrets(value) : value === undefined ? null : typeof value === 'object' ? '[not a string]' : value;
}

@Injectable()
export class AuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Audit');
  private readonly pruning = housekeeping('pruning the audit log', () => this.entries.manager.connection, () => this.prune(), (message) => this.logger.warn(message));

  constructor(
    @InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>,
    @Inject(SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  /** @param manager a transaction to write it in (an event's, so it is written once with the event's processed record). */
  async record(caller: Caller, request: { method: string; path: string; action: string; body: unknown; changes?: object }, status: number, manager?: EntityManager): Promise<void> {
    const entries = manager?.getRepository(AuditEntry) ?? this.entries;
    const entry = {
      id: newRowId(),
      keyId: caller.keyId,
      keyName: caller.name,
      method: request.method,
      path: redactSecrets(request.path) as string,
      action: request.action,
      status,
      changes: (request.changes ??
        (request.body === undefined || (typeof request.body === 'object' && request.body !== null && !Object.keys(request.body).length) ? null : redactSecrets(request.body))) as object,
    };
    if (manager) {
      // Inside a transaction a failed insert spoils it: the body is made writable beforehand (redactSecrets).
      await entries.insert(entry);
      return;
    }
    try {
      await entries.insert(entry);
    } catch (err) {
      // Never lose the entry over its body: write it without, saying so.
      this.logger.warn(`audit entry of ${entry.action} written without its body: ${err.message}`);
      await entries.insert({ ...entry, changes: { unreadable: true } as object });
    }
  }

  /**
   * The entry of one request that ended with `status`. Never throws: by now the change is done
   * (or refused), and a failed write is said loudly instead.
   */
  async recordRequest(caller: Caller, request: AuditedRequest, status: number): Promise<void> {
    const action = `${request.method} ${request.route?.path ?? '?'}`;
    const path = (request.originalUrl ?? request.url ?? '').split('?')[0];
    await this.record(caller, { method: request.method, path, action, body: request.body, changes: request.auditChanges }, status).catch((err) => this.logger.error(`audit entry not written (${action}): ${err.message}`));
  }

  /**
   * One entry per item a request changed (each account of an import, say), as one request per item
   * would have written: the request's method, path and action, each with its item as `changes`. All
   * in one insert; the request is marked so the interceptor does not add its own. Never throws: when
   * they cannot be written, the interceptor writes the request's entry instead (its auditChanges if
   * the route set them, else its body cut to 100 items), and the failure is said loudly.
   */
  async recordEach(caller: Caller, request: AuditedRequest, status: number, items: object[]): Promise<void> {
    if (!items.length) return;
    const action = `${request.method} ${request.route?.path ?? '?'}`;
    const path = redactSecrets((request.originalUrl ?? request.url ?? '').split('?')[0]) as string;
    const entries = items.map((item) => ({
      id: newRowId(),
      keyId: caller.keyId,
      keyName: caller.name,
      method: request.method,
      path,
      action,
      status,
      changes: redactSecrets(item) as object,
    }));
    try {
      await this.entries.insert(entries);
      request.auditedEach = true;
    } catch (err) {
      this.logger.error(`audit entries of ${action} not written (${items.length}): ${err.message}`);
    }
  }

  list(query: ListAuditRequest): Promise<Page<AuditEntryView>> {
    const rows = this.entries.createQueryBuilder('e').where('true');
    if (query.keyId) rows.andWhere('e.keyId = :keyId', { keyId: query.keyId });
    if (query.method) rows.andWhere('e.method = :method', { method: query.method });
    if (query.from) rows.andWhere('e.createdAt >= :from', { from: query.from });
    if (query.to) rows.andWhere('e.createdAt < :to', { to: query.to });
    return listPage(rows, query, view, { newestFirst: true });
  }

  /** Entries older than AUDIT_RETENTION_DAYS go; every replica may run it, deleting is idempotent. */
  async prune(now = new Date()): Promise<number> {
    const result = await this.entries
      .createQueryBuilder()
      .delete()
      .where(`created_at < :cutoff`, { cutoff: new Date(now.getTime() - this.settings.AUDIT_RETENTION_DAYS * 86400_000) })
      .execute();
    return result.affected ?? 0;
  }

  onApplicationBootstrap(): void {
    this.pruning.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pruning.stop();
  }
}

function view(entry: AuditEntry): AuditEntryView {
  return {
    id: entry.id,
    at: entry.createdAt.toISOString(),
    keyId: entry.keyId,
    keyName: entry.keyName,
    method: entry.method,
    path: entry.path,
    action: entry.action,
    status: entry.status,
    changes: entry.changes,
  };
}
