import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { CURRENT_MODELS, retiredMessage, retiredModel, retiredModelWarnings } from '../../../src/llm/retired.js';
import { isModelUnavailable, LlmError } from '../../../src/llm/port.js';
import { APOLOGIES } from '../../../src/conversation/canned.js';
import { trainUse } from '../../../src/cli/train.js';
import { createStateStore } from '../../../src/state/store.js';
import type { CliContext } from '../../../src/cli/context.js';

const config = (env: Record<string, string>) => loadConfig({ env, cwd: tmpdir(), envFile: false });

describe('the retired-model list', () => {
  test('names the announced models with their date and a replacement, case-insensitively and exactly', () => {
    expect(retiredModel('gpt-4o-mini-2024-07-18')).toMatchObject({ use: 'chat', shutdown: '2027-01-14', replacement: CURRENT_MODELS.chat });
    expect(retiredModel(' GPT-4o-mini ')).toMatchObject({ model: 'gpt-4o-mini', use: 'chat' });
    expect(retiredModel('whisper-1')).toMatchObject({ use: 'stt', shutdown: '2027-02-26', replacement: 'gpt-transcribe' });
    expect(retiredModel('tts-1')).toMatchObject({ use: 'tts', shutdown: '2027-01-06', replacement: 'gpt-4o-mini-tts' });
    expect(retiredModel('ft:gpt-4o-mini-2024-07-18:eos::abc')).toBeUndefined();
    expect(retiredModel('my-local-llama')).toBeUndefined();
  });

  test('no default points at a listed model', () => {
    for (const model of Object.values(CURRENT_MODELS)) expect(retiredModel(model), model).toBeUndefined();
    const c = config({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(retiredModel(c.llm!.model)).toBeUndefined();
    expect(retiredModel(c.voice.sttModel)).toBeUndefined();
    expect(retiredModelWarnings(c)).toEqual([]);
  });

  test('the message says whether the date is past and names the setting and the replacement', () => {
    const entry = retiredModel('gpt-3.5-turbo')!;
    expect(retiredMessage(entry, 'EOS_CHAT_MODEL', '2026-12-06')).toBe(
      `\`gpt-3.5-turbo\` was shut down by OpenAI on 2026-10-23: set EOS_CHAT_MODEL to a current model (e.g. \`${CURRENT_MODELS.chat}\`).`,
    );
    expect(retiredMessage(retiredModel('whisper-1')!, 'EOS_STT_MODEL', '2026-12-06')).toMatch(
      /^`whisper-1` is retired by OpenAI on 2027-02-26: set EOS_STT_MODEL .*`gpt-transcribe`/,
    );
  });
});

describe('start-up warnings for configured models', () => {
  test('a retired chat and speech-to-text model each name their env key and replacement', () => {
    const c = config({ OPENAI_BASE_URL: 'http://127.0.0.1:9/v1', EOS_CHAT_MODEL: 'gpt-4o-mini', EOS_STT_MODEL: 'whisper-1' });
    const w = retiredModelWarnings(c, '2026-12-06');
    expect(w.map((x) => [x.key, x.model, x.replacement])).toEqual([
      ['EOS_CHAT_MODEL', 'gpt-4o-mini', CURRENT_MODELS.chat],
      ['EOS_STT_MODEL', 'whisper-1', 'gpt-transcribe'],
    ]);
    expect(w[0]!.message).toContain('set EOS_CHAT_MODEL');
  });

  test('a retired judge model names training.judgeModel', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'eos-retired-'));
    await writeFile(path.join(dir, 'eos.config.json'), JSON.stringify({ training: { judgeModel: 'gpt-4o-mini-2024-07-18' } }));
    const c = loadConfig({ env: { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }, cwd: dir, envFile: false });
    expect(c.bot.training.judgeModel).toBe('gpt-4o-mini-2024-07-18');
    expect(retiredModelWarnings(c, '2026-12-06').map((w) => w.message)).toEqual([
      `\`gpt-4o-mini-2024-07-18\` is retired by OpenAI on 2027-01-14: set training.judgeModel (eos.config.json) to a current model (e.g. \`${CURRENT_MODELS.chat}\`).`,
    ]);
  });

  test('no endpoint (offline model) or offline speech-to-text: nothing to warn about', () => {
    expect(
      retiredModelWarnings(config({ EOS_CHAT_MODEL: 'gpt-4o-mini', EOS_STT_PROVIDER: 'offline', EOS_STT_MODEL: 'whisper-1' })),
    ).toEqual([]);
  });
});

describe('a model the endpoint does not serve', () => {
  test('404 model_not_found (OpenAI) and 404 naming the model (vLLM, Ollama) are recognised; other errors are not', () => {
    expect(isModelUnavailable(new LlmError('http', 'HTTP 404: The model `x` does not exist', 404, 'model_not_found'))).toBe(true);
    expect(isModelUnavailable(new LlmError('http', "HTTP 404: model 'llama9' not found", 404))).toBe(true);
    expect(isModelUnavailable(new LlmError('http', 'HTTP 400: bad', 400, 'model_not_found'))).toBe(true);
    expect(isModelUnavailable(new LlmError('http', 'HTTP 404: no route POST /v1/chat', 404))).toBe(false);
    expect(isModelUnavailable(new LlmError('http', 'HTTP 500: model crashed', 500))).toBe(false);
    expect(isModelUnavailable(new LlmError('timeout', 'model timed out'))).toBe(false);
    expect(APOLOGIES['model']).toContain('EOS_CHAT_MODEL');
    expect(APOLOGIES['model']).toContain('!train use default');
  });
});

describe('eos train use (CLI)', () => {
  test('refuses a retired model naming the setting and leaves the chat model unchanged; accepts a current one', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'eos-retired-cli-'));
    const state = await createStateStore(path.join(dir, 'eos.json'));
    const lines: string[] = [];
    const ctx = { state, out: (l: string) => void lines.push(l) } as unknown as CliContext;
    expect(await trainUse(ctx, 'gpt-4o-mini-2024-07-18')).toBe(1);
    expect(lines.at(-1)).toMatch(
      /^`gpt-4o-mini-2024-07-18` is retired by OpenAI on 2027-01-14: set `eos train use <model>` \(or EOS_CHAT_MODEL\)/,
    );
    expect(state.training().chatModel).toBeUndefined();
    expect(await trainUse(ctx, 'ft:gpt-5.4-mini:eos:1')).toBe(0);
    expect(state.training().chatModel).toBe('ft:gpt-5.4-mini:eos:1');
  });
});
