import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSeconds {
  user: number;
  system: number;
}

/**
 * CPU seconds spent by each part of the system between two snapshots, read from /proc
 * (Linux only). On a machine with few cores the parts compete for the same CPU, so where
 * the seconds go says more about a throughput figure than wall time does; the kernel's
 * share (system) is mostly socket and disk calls.
 */
export class CpuUsage {
  private readonly ticksPerSecond = 100; // USER_HZ, 100 on every Linux we run on.
  private start = new Map<number, { part: string; user: number; system: number }>();

  constructor(private readonly services: () => Map<string, number | undefined>) {}

  begin(): void {
    this.start = this.snapshot();
  }

  /** Seconds per part since begin(), busiest first; processes born since then count from zero. */
  end(): [string, CpuSeconds][] {
    const out = new Map<string, CpuSeconds>();
    for (const [pid, now] of this.snapshot()) {
      const before = this.start.get(pid);
      const sum = out.get(now.part) ?? { user: 0, system: 0 };
      sum.user += (now.user - (before?.user ?? 0)) / this.ticksPerSecond;
      sum.system += (now.system - (before?.system ?? 0)) / this.ticksPerSecond;
      out.set(now.part, sum);
    }
    return [...out].sort((a, b) => b[1].user + b[1].system - (a[1].user + a[1].system));
  }

  private snapshot(): Map<number, { part: string; user: number; system: number }> {
    const parts = new Map<number, string>();
    for (const [name, pid] of this.services()) if (pid) parts.set(pid, name);
    const out = new Map<number, { part: string; user: number; system: number }>();
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!pid) continue;
      try {
        let part = parts.get(pid);
        if (!part) {
          const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
          if (command.startsWith('postgres')) part = 'postgresql';
          else if (command.includes('nats-server')) part = 'nats-server';
          else if (pid === process.pid) part = 'benchmark';
          else continue;
        }
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(pid, { part, user: Number(fields[11]), system: Number(fields[12]) });
      } catch {
        /* gone meanwhile */
      }
    }
    return out;
  }
}

/** Prints the usage as a table, with each part's share per unit of work (`per` of them). */
export function printCpuUsage(title: string, usage: [string, CpuSeconds][], per: number, unit: string): void {
  const total = usage.reduce((sum, [, s]) => sum + s.user + s.system, 0);
  console.log(`\n${title}: ${total.toFixed(1)} CPU s, ${((total * 1000) / per).toFixed(2)} ms per ${unit}`);
  console.log(`  ${'part'.padEnd(22)}${'CPU s'.padStart(7)}${'of it system'.padStart(14)}${`ms/${unit}`.padStart(12)}`);
  for (const [part, s] of usage) {
    const seconds = s.user + s.system;
    console.log(`  ${part.padEnd(22)}${seconds.toFixed(2).padStart(7)}${`${Math.round((s.system / seconds) * 100 || 0)} %`.padStart(14)}${((seconds * 1000) / per).toFixed(3).padStart(12)}`);
  }
}
