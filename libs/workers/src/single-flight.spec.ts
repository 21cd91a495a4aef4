import { SingleFlight } from './single-flight';

describe('SingleFlight', () => {
  it('runs one pass at a time and one more after kicks that came during a pass', async () => {
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    let release!: () => void;
    const runner = new SingleFlight(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      passes++;
      if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
      active--;
    }, () => undefined);
    runner.kick();
    runner.kick();
    runner.kick();
    release();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(passes).toBe(2);
    expect(maxActive).toBe(1);
  });

  it('reports a failed pass and keeps working', async () => {
    const errors: string[] = [];
    let fail = true;
    let passes = 0;
    const runner = new SingleFlight(async () => {
      passes++;
      if (fail) throw new Error('boom');
    }, (err) => errors.push(err.message));
    runner.kick();
    await new Promise((resolve) => setTimeout(resolve, 5));
    fail = false;
    runner.kick();
    await runner.stop();
    expect(errors).toEqual(['boom']);
    expect(passes).toBe(2);
    runner.kick();
    expect(passes).toBe(2);
  });
});
