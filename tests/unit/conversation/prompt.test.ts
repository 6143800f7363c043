import { describe, expect, test } from 'vitest';
import { buildChatMessages, formatPromptTime, renderSystemPrompt, sanitizeName, speakerLabel } from '../../../src/conversation/prompt.js';
import type { HistoryEntry } from '../../../src/conversation/history.js';

const time = new Date(Date.UTC(2025, 2, 7, 14, 5, 59));
const vars = { botName: 'Eos', userName: 'Ana', server: 'Cozy Place', channel: 'general', time };

describe('renderSystemPrompt', () => {
  test('replaces every known placeholder, each occurrence', () => {
    const out = renderSystemPrompt('You are {bot_name} talking to {user_name} in #{channel} of {server} at {time}. {bot_name}!', vars);
    expect(out).toBe('You are Eos talking to Ana in #general of Cozy Place at 2025-03-07 14:05 UTC. Eos!');
  });

  test('formats time as readable UTC regardless of the local zone', () => {
    expect(formatPromptTime(new Date('2024-12-31T23:59:00-05:00'))).toBe('2025-01-01 04:59 UTC');
  });

  test('leaves unknown placeholders and braces alone', () => {
    expect(renderSystemPrompt('{mood} {BOT_NAME} {bot_name} { server }', vars)).toBe('{mood} {BOT_NAME} Eos { server }');
  });

  test('does not expand placeholders inside substituted values', () => {
    expect(renderSystemPrompt('Hi {user_name}', { ...vars, userName: '{bot_name}$&' })).toBe('Hi {bot_name}$&');
  });

  test('appends the style note as its own paragraph', () => {
    expect(renderSystemPrompt('Be nice.\n', { ...vars, styleNote: 'Ana writes in lowercase.' })).toBe(
      'Be nice.\n\nAna writes in lowercase.',
    );
    expect(renderSystemPrompt('', { ...vars, styleNote: 'Note.' })).toBe('Note.');
    expect(renderSystemPrompt('Be nice.', { ...vars, styleNote: '   ' })).toBe('Be nice.');
  });
});

const history: HistoryEntry[] = [
  { role: 'user', speaker: 'Ana', content: 'hi eos', at: 1 },
  { role: 'assistant', speaker: 'Eos', content: 'hello Ana!', at: 2 },
  { role: 'user', speaker: 'Bo\nb  Smith', content: 'me too', at: 3 },
];

describe('buildChatMessages', () => {
  test('system first, few-shot next, then history with speaker prefixes', () => {
    const fewShot = [
      { role: 'user' as const, content: 'example question' },
      { role: 'assistant' as const, content: 'example answer' },
    ];
    expect(buildChatMessages({ system: 'SYS', history, fewShot })).toEqual([
      { role: 'system', content: 'SYS' },
      { role: 'user', content: 'example question' },
      { role: 'assistant', content: 'example answer' },
      { role: 'user', content: 'Ana: hi eos' },
      { role: 'assistant', content: 'hello Ana!' },
      { role: 'user', content: 'Bo b Smith: me too' },
    ]);
  });

  test('omits an empty system prompt and does not alias the few-shot objects', () => {
    const fewShot = [{ role: 'user' as const, content: 'q' }];
    const out = buildChatMessages({ system: '  ', history: [], fewShot });
    expect(out).toEqual([{ role: 'user', content: 'q' }]);
    out[0]!.content = 'changed';
    expect(fewShot[0]!.content).toBe('q');
  });

  test('optionally fills the name field with a sanitized speaker', () => {
    const out = buildChatMessages({ system: 'S', history, useNameField: true });
    expect(out[1]).toEqual({ role: 'user', content: 'Ana: hi eos', name: 'Ana' });
    expect(out[3]).toEqual({ role: 'user', content: 'Bo b Smith: me too', name: 'Bo_b_Smith' });
    expect(out[2]).toEqual({ role: 'assistant', content: 'hello Ana!' });
  });
});

describe('speaker helpers', () => {
  test('speakerLabel collapses whitespace and falls back to User', () => {
    expect(speakerLabel('  Ana \t Maria ')).toBe('Ana Maria');
    expect(speakerLabel('   ')).toBe('User');
  });

  test('sanitizeName matches the OpenAI name pattern or gives undefined', () => {
    expect(sanitizeName('Zoë Ångström')).toBe('Zoe_Angstrom');
    expect(sanitizeName('🌸🌸')).toBeUndefined();
    expect(sanitizeName('日本語')).toBeUndefined();
    const long = sanitizeName('x'.repeat(100));
    expect(long).toHaveLength(64);
    for (const name of ['a.b@c', ' _weird__ name_ ', 'dash-ok']) expect(sanitizeName(name)).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
  });
});
