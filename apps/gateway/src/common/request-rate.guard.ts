import { ExecutionContext, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { bearerKey, callerOf } from '../access/access.guard';
import { ApiKeysService } from '../access/api-keys.service';

/**
 * Request rate limits per API key (@nestjs/throttler). A request without a key, or with a key
 * that is not one of ours, counts against its address instead: guessing keys does not get a
 * fresh allowance per guess. Counts live in each gateway process (replicas each allow the limit).
 */
@Injectable()
export class RequestRateGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly keys: ApiKeysService,
  ) {
    super(options, storage, reflector);
  }

  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const caller = await callerOf(this.keys, req as { headers: Record<string, string | undefined> });
    if (caller) return caller.keyId ? `key:${caller.keyId}` : `environment-key:${createHash('sha256').update(bearerKey(req.headers.authorization)!).digest('hex')}`;
    return `address:${req.ip ?? req.socket?.remoteAddress ?? 'unknown'}`;
  }
}
