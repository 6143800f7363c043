import { describe, expect, test, vi } from 'vitest';
import { parseReactionChoice, REACTION_PROMPT } from '../../../src/conversation/reactions.js';

describe('parseReactionChoice', () => {
  test.each([
    ['😂', '😂'],
    ['  🎉\n', '🎉'],
    ['I would react with 🔥 because it is cool', '🔥'],
    ['👍🏽', '👍🏽'],
    ['👨‍👩‍👧 family vibes', '👨‍👩‍👧'],
    ['🇫🇷', '🇫🇷'],
    ['1️⃣', '1️⃣'],
    ['❤️', '❤️'],
    ['❤', '❤️'],
    ['<:pog:123456789012345678>', '<:pog:123456789012345678>'],
    ['<a:dance:123456789012345678> 😀', '<a:dance:123456789012345678>'],
    ['😀 then <:pog:123456789012345678>', '😀'],
    ['"🙂"', '🙂'],
  ])('%j → %j', (answer, expected) => {
    expect(parseReactionChoice(answer)).toBe(expected);
  });

  test.each([
    'none',
    'None.',
    '"none"',
    'No reaction',
    'nothing fits',
    'skip',
    'N/A',
    '',
    '   ',
    'haha nice',
    ':smile:',
    '123',
    '#',
    '<:bad:12>',
  ])('no emoji for %j', (answer) => {
    expect(parseReactionChoice(answer)).toBeNull();
  });
});

describe('REACTION_PROMPT', () => {
  test('a system instruction and the message as user content', () => {
    const messages = REACTION_PROMPT('I passed my exam!');
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[0]!.content).toMatch(/exactly one emoji/);
    expect(messages[0]!.content).toMatch(/none/);
    expect(messages[1]!.content).toContain('I passed my exam!');
  });

  test('clips long messages and offers custom emoji when given', () => {
    const long = 'x'.repeat(2000);
    const [system, user] = REACTION_PROMPT(long, ['<:pog:123456789012345678>']);
    expect(user!.content.length).toBeLessThan(700);
    expect(user!.content).toContain('…');
    expect(system!.content).toContain('<:pog:123456789012345678>');
    expect(REACTION_PROMPT('hi')[0]!.content).not.toContain('server emoji');
  });
});

describe('start cost', () => {
  test('the RGI emoji patterns (20–45 ms to compile) are compiled on first use, once, not at import', async () => {
    const Original = globalThis.RegExp;
    const compiled: string[] = [];
    globalThis.RegExp = new Proxy(Original, {
      construct(target, args: [string | RegExp, string?]) {
        if (String(args[0]).includes('RGI_Emoji')) compiled.push(String(args[0]));
        return Reflect.construct(target, args);
      },
    });
    try {
      vi.resetModules();
      const fresh = await import('../../../src/conversation/reactions.js');
      expect(compiled).toEqual([]);
      expect(fresh.parseReactionChoice('sure ❤')).toBe('❤️');
      expect(fresh.parseReactionChoice('👍🏽 yes')).toBe('👍🏽');
      expect(compiled).toHaveLength(2); // the search pattern and the exact one, each once
    } finally {
      globalThis.RegExp = Original;
    }
  });
});
