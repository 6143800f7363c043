import { describe, expect, test } from 'vitest';
import { buildStyleNote } from '../../../src/conversation/style.js';
import { buildStyleNote as referenceNote } from './style-reference.js';
import { hostileInput } from '../../hostile/gen.js';
import { fuzzCount, int, prng } from './prng.js';

describe('buildStyleNote', () => {
  test('null with fewer than 3 non-empty messages', () => {
    expect(buildStyleNote('Ana', [])).toBeNull();
    expect(buildStyleNote('Ana', ['hi', 'yo'])).toBeNull();
    expect(buildStyleNote('Ana', ['hi', '   ', '', 'yo'])).toBeNull();
  });

  test('casual lowercase emoji writer', () => {
    const note = buildStyleNote('Ana', ['lol yes 😂', 'omg no way', 'ok see u soon 👋', 'hahaha'])!;
    expect(note).toContain('Ana writes very short messages');
    expect(note).toContain('all lowercase');
    expect(note).toContain('rarely uses ending punctuation');
    expect(note).toContain('uses emoji often');
    expect(note).not.toContain('ALL CAPS');
  });

  test('formal writer with long messages', () => {
    const sentence = 'I have read the proposal carefully and I believe the second option is the better choice for the team. ';
    const note = buildStyleNote('Dr. Smith', [sentence.repeat(2).trim(), sentence.trim(), `${sentence}Thank you.`])!;
    expect(note).toContain('medium-length messages');
    expect(note).toContain('capitalizes normally');
    expect(note).toContain('ends sentences with punctuation');
    expect(note).toContain('uses no emoji');
  });

  test('shouting, repeated punctuation and ellipsis habits', () => {
    const note = buildStyleNote('Max', ['WHAT IS THIS!!', 'NO WAY?!', 'I CANNOT BELIEVE IT...', 'HELP...'])!;
    expect(note).toContain('ALL CAPS');
    expect(note).toContain('repeated "!!" or "??"');
    expect(note).toContain('trails off with "..."');
    expect(note).not.toContain('all lowercase');
  });

  test('language-agnostic: no casing claims for an uncased script, lengths in code points', () => {
    const note = buildStyleNote('花子', ['今日はいい天気ですね。', '明日も晴れるといいな', 'そうだね！'])!;
    expect(note).not.toMatch(/lowercase|capitaliz|CAPS/);
    expect(note).toContain('about 9 characters');
    expect(note).toContain('花子');
  });

  test('counts custom Discord emoji and emoji before final punctuation checks', () => {
    const note = buildStyleNote('Kai', ['Nice work. <:pog:1234>', 'Great job. 🎉', 'See you.'])!;
    expect(note).toContain('ends sentences with punctuation');
    expect(note).toContain('uses emoji often');
  });

  test('is deterministic and short', () => {
    const msgs = ['hey there', 'What are you doing?', 'nothing much 🙂', 'cool'];
    const a = buildStyleNote('Lee', msgs);
    expect(buildStyleNote('Lee', [...msgs])).toBe(a);
    expect(a!.length).toBeLessThan(300);
  });

  test('blank user name falls back', () => {
    expect(buildStyleNote('  ', ['a', 'b', 'c'])).toMatch(/^Style note: The user writes/);
  });
});

test('counting without arrays of matches gives the same notes as before, on the hostile fuzz corpus', () => {
  const r = prng(99);
  const ids = { users: ['100000000000000000'], roles: ['200000000000000001'], channels: ['300000000000000001'], bot: 'bot' };
  const extra = ['HELLO WORLD', 'ĞÜŞ İÇÖ', '𝐀𝐁𝐂𝐃 abc', 'ABCd', '\ud800ABCD', 'ABC\udc00D', 'Ǆǅǆ DŽ', 'ÀÉÎ õü', 'WHY NOT!!', 'ok...'];
  for (let i = 0; i < fuzzCount(300); i++) {
    const recent = Array.from({ length: int(r, 3, 8) }, () =>
      r() < 0.3 ? extra[int(r, 0, extra.length - 1)]! : hostileInput(r, ids).content.slice(0, 4000),
    );
    expect(buildStyleNote('Ana', recent)).toBe(referenceNote('Ana', recent));
  }
});
