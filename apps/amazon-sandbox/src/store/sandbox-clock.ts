import { Inject, Injectable } from '@nestjs/common';
import { SANDBOX_OPTIONS, SandboxOptions } from '../sandbox-options';

/**
 * The sandbox's notion of time.
 * - now(): wall-clock time plus an offset that tests can advance (orders, tokens, the
 *   "2 minutes before now" rule all use it).
 * - elapsedScaledMs(): a monotonic clock that runs timeScale times faster than real time
 *   and also jumps when the clock is advanced; rate-limit buckets and feed processing use
 *   it, so a test can make Amazon's slow restore rates fast.
 */
@Injectable()
export class SandboxClock {
  private offsetMs = 0;
  private scale: number;
  private scaledBaseMs = 0;
  private realBaseMs = performance.now();
  rateLimitsEnabled: boolean;

  constructor(@Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions) {
    this.reset();
  }

  reset(): void {
    this.offsetMs = 0;
    this.scale = this.options.timeScale;
    this.scaledBaseMs = 0;
    this.realBaseMs = performance.now();
    this.rateLimitsEnabled = this.options.rateLimits;
  }

  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  get timeScale(): number {
    return this.scale;
  }

  set timeScale(value: number) {
    // Freeze the scaled clock at its current value so a change of scale never moves it backwards.
    this.scaledBaseMs = this.elapsedScaledMs();
    this.realBaseMs = performance.now();
    this.scale = value;
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
    this.scaledBaseMs += seconds * 1000;
  }

  elapsedScaledMs(): number {
    return this.scaledBaseMs + (performance.now() - this.realBaseMs) * this.scale;
  }
}
