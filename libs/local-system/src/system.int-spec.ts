import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { colorsByDefault, System, SystemOptions } from './system';
import { waitFor } from './wait-for';

/**
 * The process harness on a stand-in gateway (a script in a repository of its own, printing what a
 * service prints): it fails stop() on an unhandled rejection reported by a process, with its
 * stack, and keeps a bounded tail of each process's output however much it prints.
 */
describe('System: the processes of the system', () => {
  let root: string;
  const roots: string[] = [];
  let system: System | undefined;

  const standIn = (script: string, fixedManagementPorts = false, options: Partial<SystemOptions> = {}) => {
    root = mkdtempSync(join(tmpdir(), 'system-'));
    roots.push(root);
    mkdirSync(join(root, 'dist', 'libs', 'platform', 'src'), { recursive: true });
    mkdirSync(join(root, 'dist', 'apps', 'gateway', 'src'), { recursive: true });
    writeFileSync(join(root, 'dist', 'libs', 'platform', 'src', 'source-maps.js'), '');
    writeFileSync(
      join(root, 'dist', 'apps', 'gateway', 'src', 'main.js'),
      `process.on('SIGTERM', () => process.exit(0));
       setInterval(() => undefined, 1000);
       process.stdout.write('gateway: ready (NATS queue group "gateway")\\n');
       ${script}`,
    );
    system = new System({ rootDir: root, env: process.env, fixedManagementPorts, log: () => undefined, ...options });
    return system;
  };

  afterEach(async () => {
    await system?.stop().catch(() => undefined);
    system = undefined;
    for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('fails stop() with each unhandled rejection a process reported, and its stack', async () => {
    const system = standIn(`
      console.error('[Nest] 42  - ERROR [gateway] unhandled rejection: Error: the broker went away');
      console.error('    at Outbox.publish (libs/messaging/src/outbox.ts:120:7)');
      console.error('    at async SingleFlight.kick (libs/workers/src/single-flight.ts:22:5)');
      console.error('an ordinary line');`);
    await system.start(['gateway']);
    await waitFor(() => system.process('gateway').lines.includes('an ordinary line'), { what: 'the output read' });
    await expect(system.stop()).rejects.toThrow(
      /1 unhandled rejection\(s\)[\s\S]*gateway \(pid \d+\): .*unhandled rejection: Error: the broker went away\n {4}at Outbox\.publish .*\n {4}at async SingleFlight\.kick [^\n]*$/,
    );
  });

  it('fails stop() with an unhandled rejection reported as a JSON log line, its stack as lines', async () => {
    const line = JSON.stringify({
      level: 'error',
      time: '2026-12-07T04:00:00.000Z',
      service: 'gateway',
      context: 'gateway',
      correlationId: 'c-1',
      msg: 'unhandled rejection: Error: the broker went away\n    at Outbox.publish (libs/messaging/src/outbox.ts:120:7)\n    at async SingleFlight.kick (libs/workers/src/single-flight.ts:22:5)',
    });
    const system = standIn(`process.stdout.write(${JSON.stringify(line + '\n')}); console.error('an ordinary line');`);
    await system.start(['gateway']);
    await waitFor(() => system.process('gateway').lines.includes('an ordinary line'), { what: 'the output read' });
    await expect(system.stop()).rejects.toThrow(
      /1 unhandled rejection\(s\)[\s\S]*gateway \(pid \d+\): unhandled rejection: Error: the broker went away\n {4}at Outbox\.publish .*\n {4}at async SingleFlight\.kick [^\n]*$/,
    );
  });

  it('stops cleanly when no process reported one', async () => {
    const system = standIn(`console.error('[Nest] 42  - WARN [gateway] a warning, not a rejection');`);
    await system.start(['gateway']);
    await expect(system.stop()).resolves.toBeUndefined();
    await expect(system.process('gateway').exit()).resolves.toEqual({ code: 0, signal: null });
  });

  it('gives each process MANAGEMENT_PORT=0 (any free port) unless fixed ports are asked, and reads where its management server listens', async () => {
    const script = `process.stdout.write('gateway: management HTTP on http://127.0.0.1:' + (process.env.MANAGEMENT_PORT ?? 'default') + '\\n');`;
    const anyPort = standIn(script);
    expect(() => anyPort.managementUrl('gateway')).toThrow(/has not said where its management HTTP server listens/);
    await anyPort.start(['gateway']);
    await waitFor(() => anyPort.process('gateway').managementUrl, { what: 'the management line read' });
    expect(anyPort.managementUrl('gateway')).toBe('http://127.0.0.1:0');
    await anyPort.stop();
    for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });

    const fixed = standIn(script, true);
    await fixed.start(['gateway']);
    await waitFor(() => fixed.process('gateway').managementUrl, { what: 'the management line read' });
    expect(fixed.managementUrl('gateway')).toBe('http://127.0.0.1:default');
  });

  it('keeps a bounded tail of what a process prints', async () => {
    const system = standIn(`for (let i = 1; i <= 20000; i++) process.stdout.write('line ' + i + '\\n');`);
    await system.start(['gateway']);
    const lines = system.process('gateway').lines;
    await waitFor(() => lines.at(-1) === 'line 20000', { what: 'every line read' });
    expect(lines.length).toBeLessThanOrEqual(2200);
    expect(lines.at(-2)).toBe('line 19999');
  });

  it('prefixes lines without colour codes unless asked (or stdout is a terminal), so `LOG_FORMAT=json npm start > file` gives `<name> | {json}`', async () => {
    const plain: string[] = [];
    const json = JSON.stringify({ level: 'info', msg: 'hello' });
    const system = standIn(`process.stdout.write(${JSON.stringify(json + '\n')});`, false, { log: (line) => plain.push(line), colors: false });
    await system.start(['gateway']);
    await waitFor(() => plain.some((line) => line.endsWith(json)), { what: 'the JSON line' });
    expect(plain.every((line) => !line.includes('\x1b'))).toBe(true);
    const line = plain.find((l) => l.endsWith(json))!;
    expect(line).toBe(`${'gateway'.padEnd(20)}| ${json}`);
    // What the README says to get the JSON alone.
    expect(JSON.parse(line.split('|').slice(1).join('|'))).toEqual({ level: 'info', msg: 'hello' });
    await system.stop();

    const colored: string[] = [];
    const terminal = standIn('', false, { log: (line) => colored.push(line), colors: true });
    await terminal.start(['gateway']);
    const esc = String.fromCharCode(27);
    expect(colored[0].startsWith(`${esc}[`)).toBe(true);
    expect(colored[0]).toContain(`gateway${' '.repeat(13)}${esc}[0m| `);

    expect(colorsByDefault({ isTTY: undefined }, {})).toBe(false);
    expect(colorsByDefault({ isTTY: true }, {})).toBe(true);
    expect(colorsByDefault({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
  });

  it('says clearly when a process exits without being asked to (and that it is not restarted); nothing when it is stopped', async () => {
    const lines: string[] = [];
    const crashing = standIn(`setTimeout(() => process.exit(3), 100);`, false, { log: (line) => lines.push(line), colors: false });
    await crashing.start(['gateway']);
    await expect(crashing.process('gateway').exit()).resolves.toEqual({ code: 3, signal: null });
    expect(lines).toContain(`${'gateway'.padEnd(20)}| gateway exited (code 3); it is not restarted (npm start has no restart policy: stop with Ctrl-C and start again; compose or Kubernetes restart services)`);
    await crashing.stop();

    lines.length = 0;
    const killed = standIn('', false, { log: (line) => lines.push(line), colors: false });
    await killed.start(['gateway']);
    // Killed from outside (the kernel's OOM killer, an operator's kill -9).
    process.kill(killed.process('gateway').pid!, 'SIGKILL');
    await killed.process('gateway').exit();
    expect(lines.filter((line) => line.includes('exited'))).toEqual([expect.stringContaining('gateway exited (signal SIGKILL); it is not restarted')]);
    await killed.stop();

    lines.length = 0;
    const stopped = standIn('', false, { log: (line) => lines.push(line), colors: false });
    await stopped.start(['gateway']);
    await stopped.stop();
    expect(lines.filter((line) => line.includes('exited'))).toEqual([]);
  });
});
