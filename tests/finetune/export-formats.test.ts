import { describe, expect, test } from 'vitest';
import { chatToFormat, preferenceToFormat } from '../../src/datasets/export-formats.js';
import type { ChatRecord } from '../../src/datasets/types.js';
import { preferenceRecord } from './helpers.js';

const chat: ChatRecord = {
  messages: [
    { role: 'system', content: 'You are Eos.' },
    { role: 'user', content: 'hi', name: 'Alice' },
    { role: 'assistant', content: 'earlier reply', weight: 0 },
    { role: 'user', content: 'and now?', name: 'Bob' },
    { role: 'assistant', content: 'approved reply', weight: 1 },
  ],
};

describe('open dataset formats', () => {
  test('TRL conversational: messages with role and content only', () => {
    expect(chatToFormat(chat, 'trl')).toEqual({
      messages: [
        { role: 'system', content: 'You are Eos.' },
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'earlier reply' },
        { role: 'user', content: 'and now?' },
        { role: 'assistant', content: 'approved reply' },
      ],
    });
  });

  test('TRL prompt-completion trains only the final (approved) reply', () => {
    const r = chatToFormat(chat, 'trl-completion') as { prompt: unknown[]; completion: unknown[] };
    expect(r.completion).toEqual([{ role: 'assistant', content: 'approved reply' }]);
    expect(r.prompt).toHaveLength(4);
  });

  test('ShareGPT conversations use from/value with human and gpt', () => {
    expect(chatToFormat(chat, 'sharegpt')).toEqual({
      conversations: [
        { from: 'system', value: 'You are Eos.' },
        { from: 'human', value: 'hi' },
        { from: 'gpt', value: 'earlier reply' },
        { from: 'human', value: 'and now?' },
        { from: 'gpt', value: 'approved reply' },
      ],
    });
  });

  test('preference pairs: TRL prompt/chosen/rejected and ShareGPT chosen/rejected', () => {
    const p = preferenceRecord(1);
    expect(preferenceToFormat(p, 'trl')).toEqual({
      prompt: [{ role: 'user', content: 'prompt 1' }],
      chosen: [{ role: 'assistant', content: 'good 1' }],
      rejected: [{ role: 'assistant', content: 'bad 1' }],
    });
    expect(preferenceToFormat(p, 'sharegpt')).toEqual({
      conversations: [{ from: 'human', value: 'prompt 1' }],
      chosen: { from: 'gpt', value: 'good 1' },
      rejected: { from: 'gpt', value: 'bad 1' },
    });
    expect(preferenceToFormat(p, 'openai')).toBe(p);
  });
});
