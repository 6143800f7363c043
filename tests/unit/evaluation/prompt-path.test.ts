import { describe, expect, test } from 'vitest';
import { chatPrompt, rawPrompt } from '../../../src/evaluation/prompt-path.js';
import { runSuite } from '../../../src/evaluation/run.js';
import type { Example, ExampleMemory } from '../../../src/memory/examples.js';
import { ScriptedModel } from './fake-model.js';

class TableMemory implements ExampleMemory {
  readonly queries: string[] = [];
  constructor(private readonly rows: Example[]) {}
  async search(query: string, k: number): Promise<Example[]> {
    this.queries.push(query);
    return this.rows.slice(0, k);
  }
}

const base = {
  systemTemplate: 'You are {bot_name} in #{channel} on {server}, talking with {user_name}.',
  botName: 'Eos',
  userName: 'Alice',
  server: 'Test Server',
  channel: 'general',
  fewShot: 3,
  now: () => new Date('2026-01-01T00:00:00Z'),
};

describe('prompt paths', () => {
  test('chat: rendered system prompt, few-shot examples (best last, weak ones left out), "Speaker: text" turns', async () => {
    const memory = new TableMemory([
      { prompt: 'capital of France?', answer: 'Paris, obviously.', score: 0.9 },
      { prompt: 'capital of Spain?', answer: 'Madrid.', score: 0.5 },
      { prompt: 'unrelated', answer: 'no', score: 0.1 },
    ]);
    const build = chatPrompt({ ...base, memory });
    const messages = await build({ input: 'What is the capital of France?' });
    expect(messages).toEqual([
      { role: 'system', content: 'You are Eos in #general on Test Server, talking with Alice.' },
      { role: 'user', content: 'capital of Spain?' },
      { role: 'assistant', content: 'Madrid.' },
      { role: 'user', content: 'capital of France?' },
      { role: 'assistant', content: 'Paris, obviously.' },
      { role: 'user', content: 'Alice: What is the capital of France?' },
    ]);
    expect(memory.queries).toEqual(['What is the capital of France?']);
  });

  test("chat: a case's own system prompt wins; multi-turn messages keep their speakers", async () => {
    const build = chatPrompt({ ...base, fewShot: 0 });
    const messages = await build({
      system: 'Be terse.',
      messages: [
        { role: 'user', content: 'hi', name: 'Bob' },
        { role: 'assistant', content: 'hey' },
        { role: 'user', content: 'capital of France?' },
      ],
    });
    expect(messages).toEqual([
      { role: 'system', content: 'Be terse.' },
      { role: 'user', content: 'Bob: hi' },
      { role: 'assistant', content: 'hey' },
      { role: 'user', content: 'Alice: capital of France?' },
    ]);
  });

  test('raw: the case alone', async () => {
    expect(await rawPrompt()({ input: 'q' })).toEqual([{ role: 'user', content: 'q' }]);
    expect(await rawPrompt()({ input: 'q', system: 's' })).toEqual([
      { role: 'system', content: 's' },
      { role: 'user', content: 'q' },
    ]);
  });

  test('runSuite sends what the prompt path builds, with the model name, and records mode, tokens and latency', async () => {
    const memory = new TableMemory([{ prompt: 'capital of France?', answer: 'Paris, obviously.', score: 0.9 }]);
    const model = new ScriptedModel(() => 'Paris is the capital.');
    const origComplete = model.complete.bind(model);
    model.complete = async (messages, opts) => {
      opts?.onUsage?.({ promptTokens: 30, completionTokens: 5 });
      return origComplete(messages, opts);
    };
    const r = await runSuite(model, [{ input: 'capital of France?', expected: 'Paris' }], {
      prompt: chatPrompt({ ...base, memory }),
      mode: 'chat',
      modelName: 'ft:eos-1',
    });
    expect(r.passed).toBe(1);
    expect(r.mode).toBe('chat');
    expect(r.model).toBe('ft:eos-1');
    expect(model.calls[0]?.opts?.model).toBe('ft:eos-1');
    expect(model.calls[0]?.messages[0]?.role).toBe('system');
    expect(model.calls[0]?.messages).toHaveLength(4);
    expect(r.cases[0]?.usage).toEqual({ prompt: 30, completion: 5 });
    expect(r.usage).toEqual({ prompt: 30, completion: 5 });
    expect(typeof r.cases[0]?.latencyMs).toBe('number');
  });
});
