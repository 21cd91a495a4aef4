import { Injectable } from '@nestjs/common';
import { AmazonApiError } from './amazon-error';

/** 5xx: an outage; 404: Amazon does not know the resource (any more), e.g. a feed it forgot; 400: Amazon refuses the call outright. */
export type FaultStatus = 400 | 404 | 500 | 503;

export interface FaultRule {
  id: number;
  operation: string;
  sellerId?: string;
  status?: FaultStatus;
  rate: number;
  /** How many more injected errors; undefined = unlimited. */
  remaining?: number;
  throttleStormRemaining?: number;
  latencyMs?: number;
  /** The call is carried out and its answer replaced by `status` (a lost answer: the caller cannot tell it happened). */
  loseAnswer?: boolean;
}

export interface FaultInput {
  operation?: string;
  sellerId?: string;
  status?: FaultStatus;
  rate?: number;
  count?: number;
  throttleStorm?: { count: number };
  latencyMs?: number;
  /** With `status`: the call succeeds but its answer is lost (`count` times). */
  loseAnswer?: boolean;
  malformedOrderIds?: string[];
}

/** Injected failures: server errors, 429 storms, latency and broken order records. */
@Injectable()
export class FaultService {
  private rules: FaultRule[] = [];
  private nextId = 1;
  readonly malformedOrderIds = new Set<string>();

  reset(): void {
    this.rules = [];
    this.malformedOrderIds.clear();
  }

  add(input: FaultInput): FaultRule | undefined {
    for (const id of input.malformedOrderIds ?? []) this.malformedOrderIds.add(id);
    if (input.status === undefined && input.throttleStorm === undefined && input.latencyMs === undefined) return undefined;
    const rule: FaultRule = {
      id: this.nextId++,
      operation: input.operation ?? '*',
      sellerId: input.sellerId,
      status: input.status,
      rate: input.rate ?? 1,
      remaining: input.count,
      throttleStormRemaining: input.throttleStorm?.count,
      latencyMs: input.latencyMs,
      ...(input.loseAnswer ? { loseAnswer: true } : {}),
    };
    this.rules.push(rule);
    return rule;
  }

  /** Ends one rule (the outage of one seller), leaving the others. Says whether it was there. */
  remove(id: number): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length < before;
  }

  list(): { rules: FaultRule[]; malformedOrderIds: string[] } {
    return { rules: this.rules.map((r) => ({ ...r })), malformedOrderIds: [...this.malformedOrderIds] };
  }

  /** Applies the faults that match this call: waits, then throws the injected error if any. */
  async apply(operation: string, sellerId: string): Promise<void> {
    const matching = this.rules.filter((r) => (r.operation === '*' || r.operation === operation) && (!r.sellerId || r.sellerId === sellerId));
    if (!matching.length) return;
    const latency = Math.max(0, ...matching.map((r) => r.latencyMs ?? 0));
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const storm = matching.find((r) => (r.throttleStormRemaining ?? 0) > 0);
    if (storm) {
      storm.throttleStormRemaining!--;
      this.prune();
      throw AmazonApiError.quotaExceeded();
    }
    for (const rule of matching) {
      if (rule.status === undefined || rule.remaining === 0 || rule.loseAnswer) continue;
      if (Math.random() < rule.rate) {
        if (rule.remaining !== undefined) rule.remaining--;
        this.prune();
        throw AmazonApiError.serverError(rule.status);
      }
    }
  }

  /**
   * Decided before the call (and counted then): whether this call's answer is lost after it is
   * carried out. Returns the status the caller gets instead of the answer.
   */
  answerLost(operation: string, sellerId: string): number | undefined {
    const rule = this.rules.find((r) => r.loseAnswer && r.status !== undefined && r.remaining !== 0 && (r.operation === '*' || r.operation === operation) && (!r.sellerId || r.sellerId === sellerId));
    if (!rule || Math.random() >= rule.rate) return undefined;
    if (rule.remaining !== undefined) rule.remaining--;
    this.prune();
    return rule.status;
  }

  /** Drops rules with nothing left to inject (a rule with only latency stays). */
  private prune(): void {
    this.rules = this.rules.filter((r) => {
      const statusLeft = r.status !== undefined && r.remaining !== 0;
      const stormLeft = (r.throttleStormRemaining ?? 0) > 0;
      return statusLeft || stormLeft || (r.latencyMs ?? 0) > 0;
    });
  }
}
