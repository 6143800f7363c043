/** Ports built on first use (issue 12: nothing that READY does not need is loaded at start). */
import { describe, expect, test } from 'vitest';
import { lazyChatModel, lazyEmbedder } from '../../src/llm/lazy.js';
import { LlmError, type ChatModel } from '../../src/llm/port.js';
import type { Embedder } from '../../src/llm/embeddings.js';
import { LazyFineTuneBackend } from '../../src/finetune/lazy.js';
import type { BackendInfo, FineTuneBackend } from '../../src/finetune/port.js';
import { lazySpeechToText, lazyTextToSpeech } from '../../src/voice/lazy.js';

const model = (calls: string[]): ChatModel => ({
  description: 'real',
  complete: async (m) => {
    calls.push(`complete:${m[0]!.content}`);
    return 'done';
  },
  async *stream(m) {
    calls.push(`stream:${m[0]!.content}`);
    yield 'a';
    yield 'b';
  },
});

describe('lazyChatModel', () => {
  test('builds the model once, on the first call, and passes calls through; its description is known before', async () => {
    const calls: string[] = [];
    let builds = 0;
    const lazy = lazyChatModel('planned', async () => {
      builds++;
      return model(calls);
    });
    expect(lazy.description).toBe('planned');
    expect(builds).toBe(0);
    const parts: string[] = [];
    for await (const d of lazy.stream([{ role: 'user', content: 'x' }])) parts.push(d);
    expect(parts).toEqual(['a', 'b']);
    expect(await lazy.complete([{ role: 'user', content: 'y' }])).toBe('done');
    expect(builds).toBe(1);
    expect(calls).toEqual(['stream:x', 'complete:y']);
  });

  test('a failed build rejects that call and the next call tries again', async () => {
    let builds = 0;
    const lazy = lazyChatModel('planned', async () => {
      if (++builds === 1) throw new LlmError('unavailable', 'import failed');
      return model([]);
    });
    await expect(lazy.complete([{ role: 'user', content: 'y' }])).rejects.toThrow('import failed');
    expect(await lazy.complete([{ role: 'user', content: 'y' }])).toBe('done');
    expect(builds).toBe(2);
  });

  test('errors of the model itself reach the caller unchanged', async () => {
    const failing: ChatModel = {
      description: 'x',
      complete: () => Promise.reject(new LlmError('timeout', 'slow')),
      // eslint-disable-next-line require-yield -- a stream that fails before its first delta
      async *stream() {
        throw new LlmError('http', 'nope', 500);
      },
    };
    const lazy = lazyChatModel('x', async () => failing);
    await expect(lazy.complete([])).rejects.toMatchObject({ kind: 'timeout' });
    const drain = async () => {
      for await (const _ of lazy.stream([])) void _;
    };
    await expect(drain()).rejects.toMatchObject({ kind: 'http', status: 500 });
  });
});

test('lazyEmbedder: model and maxBatch before the build, vectors after it', async () => {
  let builds = 0;
  const real: Embedder = { model: 'emb', maxBatch: 4, embed: async (t) => t.map(() => new Float32Array([1, 2])) };
  const lazy = lazyEmbedder({ model: 'emb', maxBatch: 4 }, async () => {
    builds++;
    return real;
  });
  expect([lazy.model, lazy.maxBatch, builds]).toEqual(['emb', 4, 0]);
  expect(await lazy.embed(['a', 'b'])).toHaveLength(2);
  await lazy.embed(['c']);
  expect(builds).toBe(1);
});

test('LazyFineTuneBackend: info at once, the adapter on the first request, close only what was built', async () => {
  const info: BackendInfo = {
    kind: 'openai',
    label: 'x',
    paid: true,
    minExamples: 10,
    contextTokens: 100,
    fileFormat: 'openai',
    switchOnSuccess: false,
  };
  let builds = 0;
  let closed = 0;
  const job = { id: 'ftjob-1' } as unknown as Awaited<ReturnType<FineTuneBackend['status']>>;
  const real: FineTuneBackend = {
    info,
    create: async () => job,
    status: async (id) => ({ ...job, id }),
    cancel: async () => job,
    events: async () => [],
    metrics: async () => [],
    close: async () => void closed++,
  };
  const lazy = new LazyFineTuneBackend(info, async () => {
    builds++;
    return real;
  });
  expect(lazy.info).toBe(info);
  await lazy.close();
  expect([builds, closed]).toEqual([0, 0]);
  expect((await lazy.status('ftjob-2')).id).toBe('ftjob-2');
  expect(await lazy.events('ftjob-2', 5)).toEqual([]);
  await lazy.close();
  expect([builds, closed]).toEqual([1, 1]);
});

test('lazy speech engines: the planned description until built, then the engine’s own', async () => {
  let builds = 0;
  const pcm = { samples: new Int16Array(4), sampleRate: 16_000, channels: 1 };
  const stt = lazySpeechToText('offline:pocketsphinx', async () => {
    builds++;
    return { description: 'offline:pocketsphinx (jsgf grammar)', transcribe: async () => 'hello' };
  });
  const tts = lazyTextToSpeech('flite', async () => ({ description: 'flite:kal16', synthesize: async () => pcm }));
  expect([stt.description, tts.description, builds]).toEqual(['offline:pocketsphinx', 'flite', 0]);
  expect(await stt.transcribe(pcm)).toBe('hello');
  expect(await tts.synthesize('hi')).toBe(pcm);
  expect([stt.description, tts.description, builds]).toEqual(['offline:pocketsphinx (jsgf grammar)', 'flite:kal16', 1]);
  await stt.transcribe(pcm);
  expect(builds).toBe(1);
});
