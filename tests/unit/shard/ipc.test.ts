/** IPC requests between manager and shards: answers, errors, and a peer that does not answer within the time. */
import { describe, expect, test } from 'vitest';
import { IpcPeer, IpcTimeoutError, type Transport } from '../../../src/shard/ipc.js';
import { formatShardAnswers } from '../../../src/shard/types.js';

/** Two transports wired to each other (asynchronously, like process IPC). */
function pair(): [Transport, Transport] {
  const a: ((m: unknown) => void)[] = [];
  const b: ((m: unknown) => void)[] = [];
  return [
    { send: (m) => void setImmediate(() => b.forEach((f) => f(structuredClone(m)))), onMessage: (f) => void a.push(f) },
    { send: (m) => void setImmediate(() => a.forEach((f) => f(structuredClone(m)))), onMessage: (f) => void b.push(f) },
  ];
}

describe('IpcPeer', () => {
  test('request/answer, handler errors come back as errors, events reach listeners', async () => {
    const [ta, tb] = pair();
    const manager = new IpcPeer(ta);
    const shard = new IpcPeer(tb);
    shard.handle('status', () => ({ guilds: 3 }));
    shard.handle('boom', () => {
      throw new Error('bad thing');
    });
    expect(await manager.request('status', null, 1000)).toEqual({ guilds: 3 });
    await expect(manager.request('boom', null, 1000)).rejects.toThrow('bad thing');
    await expect(manager.request('nope', null, 1000)).rejects.toThrow('unknown request nope');
    const seen: unknown[] = [];
    shard.on('state.snapshot', (s) => seen.push(s));
    manager.emit('state.snapshot', { version: 2 });
    // A request sent after the event is answered after the event was handled (the link keeps its order).
    expect(await manager.request('status', null, 1000)).toEqual({ guilds: 3 });
    expect(seen).toEqual([{ version: 2 }]);
  });

  test('a peer that never answers is reported after the timeout; a dead link fails at once', async () => {
    const [ta] = pair();
    const manager = new IpcPeer(ta);
    await expect(manager.request('status', null, 50)).rejects.toBeInstanceOf(IpcTimeoutError);
    const dead = new IpcPeer({
      send: () => {
        throw new Error('channel closed');
      },
      onMessage: () => undefined,
    });
    await expect(dead.request('status', null, 5000)).rejects.toThrow(/gone/);
  });

  test('status lines name a shard that did not answer', () => {
    const text = formatShardAnswers(
      [
        { shard: 1, ok: false, error: 'no answer to status within 3000 ms' },
        {
          shard: 0,
          ok: true,
          result: { id: 0, pid: 10, ready: true, guilds: 2, pingMs: 12, uptimeMs: 65_000, rssBytes: 80 * 1048576, heapUsedBytes: 0 },
        },
      ],
      2,
    );
    expect(text.split('\n')).toEqual([
      'shard 0/2: ready, 2 servers, ping 12 ms, up 1m 5s, RSS 80 MB, pid 10',
      'shard 1/2: did not answer (no answer to status within 3000 ms)',
      'total: 2 servers on 1 answering shards, 1 not answering',
    ]);
  });
});
