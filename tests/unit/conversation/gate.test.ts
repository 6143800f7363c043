import { describe, expect, test } from 'vitest';
import { ChannelGate } from '../../../src/conversation/gate.js';
import { flush } from './fakes.js';

/** A job the test finishes by hand, recording when it started. */
function controllable(log: string[], name: string) {
  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const job = () => {
    log.push(`start ${name}`);
    return new Promise<void>((resolve, reject) => {
      finish = () => {
        log.push(`end ${name}`);
        resolve();
      };
      fail = reject;
    });
  };
  return { job, finish: () => finish(), fail: (e: unknown) => fail(e) };
}

describe('ChannelGate', () => {
  test('runs a job at once when the channel is free', async () => {
    const gate = new ChannelGate();
    const log: string[] = [];
    const a = controllable(log, 'a');
    const done = gate.run('c', a.job);
    expect(log).toEqual(['start a']);
    expect(gate.busy('c')).toBe(true);
    a.finish();
    await done;
    await gate.idle('c');
    expect(gate.busy('c')).toBe(false);
  });

  test('never runs two jobs of one channel at once; coalesces a burst into one rerun of the latest', async () => {
    const gate = new ChannelGate();
    const log: string[] = [];
    const a = controllable(log, 'a');
    const later = ['b', 'c', 'd'].map((n) => controllable(log, n));
    let running = 0;
    let maxRunning = 0;
    const tracked = (job: () => Promise<void>) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        await job();
      } finally {
        running--;
      }
    };
    const first = gate.run('c', tracked(a.job));
    const settled: string[] = [];
    const coalesced = later.map((x, i) => gate.run('c', tracked(x.job)).then(() => settled.push(`p${i}`)));
    await flush();
    expect(log).toEqual(['start a']);
    a.finish();
    await first;
    await flush();
    expect(log).toEqual(['start a', 'end a', 'start d']);
    expect(settled).toEqual([]);
    later[2]!.finish();
    await Promise.all(coalesced);
    await gate.idle('c');
    expect(log).toEqual(['start a', 'end a', 'start d', 'end d']);
    expect(settled).toHaveLength(3);
    expect(maxRunning).toBe(1);
  });

  test('a job submitted during the rerun triggers another rerun', async () => {
    const gate = new ChannelGate();
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => controllable(log, n));
    void gate.run('x', a!.job);
    void gate.run('x', b!.job);
    a!.finish();
    await flush();
    void gate.run('x', c!.job);
    b!.finish();
    await flush();
    c!.finish();
    await gate.idle('x');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  test('channels are independent', async () => {
    const gate = new ChannelGate();
    const log: string[] = [];
    const a = controllable(log, 'a');
    const b = controllable(log, 'b');
    void gate.run('one', a.job);
    void gate.run('two', b.job);
    expect(log).toEqual(['start a', 'start b']);
    expect(gate.activeCount()).toBe(2);
    b.finish();
    await gate.idle('two');
    expect(gate.busy('one')).toBe(true);
    a.finish();
    await gate.idle('one');
    expect(gate.activeCount()).toBe(0);
  });

  test('errors are reported, never rejected, and do not wedge the gate', async () => {
    const errors: [unknown, string][] = [];
    const gate = new ChannelGate({ onError: (e, ch) => errors.push([e, ch]) });
    const log: string[] = [];
    const a = controllable(log, 'a');
    const b = controllable(log, 'b');
    const first = gate.run('c', a.job);
    const second = gate.run('c', b.job);
    a.fail(new Error('llm down'));
    await first;
    await flush();
    expect(log).toEqual(['start a', 'start b']);
    b.finish();
    await second;
    expect(errors).toHaveLength(1);
    expect((errors[0]![0] as Error).message).toBe('llm down');
    expect(errors[0]![1]).toBe('c');
    await gate.idle('c');
    const syncThrow = gate.run('c', () => {
      throw new Error('sync');
    });
    await syncThrow;
    await gate.idle('c');
    expect(errors).toHaveLength(2);
    await gate.run('c', async () => void log.push('after'));
    expect(log.at(-1)).toBe('after');
  });

  test('a throwing onError handler does not wedge the gate either', async () => {
    const gate = new ChannelGate({
      onError: () => {
        throw new Error('bad handler');
      },
    });
    await gate.run('c', async () => {
      throw new Error('job');
    });
    await gate.idle('c');
    let ran = false;
    await gate.run('c', async () => void (ran = true));
    expect(ran).toBe(true);
  });

  test('idle resolves immediately for a free channel', async () => {
    const gate = new ChannelGate();
    await expect(gate.idle('nothing')).resolves.toBeUndefined();
  });
});
