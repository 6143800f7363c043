import { describe, expect, test } from 'vitest';
import { containsTriggerWord, decideReply, type ReplyInput } from '../../../src/conversation/triggers.js';

function input(over: Partial<ReplyInput> = {}): ReplyInput {
  return {
    isDM: false,
    mentionsBot: false,
    replyToBot: false,
    content: 'just chatting',
    triggerWords: ['eos'],
    replyProbability: 0,
    replyEveryN: 0,
    messagesSinceLastReply: 1,
    random: () => {
      throw new Error('random must not be called');
    },
    ...over,
  };
}

describe('decideReply', () => {
  test('direct rules in priority order', () => {
    expect(decideReply(input({ isDM: true, mentionsBot: true }))).toEqual({ reply: true, reason: 'dm' });
    expect(decideReply(input({ mentionsBot: true, replyToBot: true }))).toEqual({ reply: true, reason: 'mention' });
    expect(decideReply(input({ replyToBot: true, content: 'eos' }))).toEqual({ reply: true, reason: 'reply' });
    expect(decideReply(input({ content: 'hey Eos!' }))).toEqual({ reply: true, reason: 'trigger' });
  });

  test('no rule matching gives none without drawing randomness', () => {
    expect(decideReply(input())).toEqual({ reply: false, reason: 'none' });
  });

  test('every-n counts messages since the last reply, this one included', () => {
    expect(decideReply(input({ replyEveryN: 3, messagesSinceLastReply: 2 })).reason).toBe('none');
    expect(decideReply(input({ replyEveryN: 3, messagesSinceLastReply: 3 }))).toEqual({ reply: true, reason: 'every-n' });
    expect(decideReply(input({ replyEveryN: 3, messagesSinceLastReply: 7 })).reason).toBe('every-n');
    expect(decideReply(input({ replyEveryN: 1, messagesSinceLastReply: 1 })).reason).toBe('every-n');
    expect(decideReply(input({ replyEveryN: 0, messagesSinceLastReply: 100 })).reason).toBe('none');
  });

  test('probability draws once and compares strictly', () => {
    let calls = 0;
    const at = (value: number) => () => {
      calls++;
      return value;
    };
    expect(decideReply(input({ replyProbability: 0.3, random: at(0.29) }))).toEqual({ reply: true, reason: 'probability' });
    expect(decideReply(input({ replyProbability: 0.3, random: at(0.3) })).reason).toBe('none');
    expect(calls).toBe(2);
    expect(decideReply(input({ replyProbability: 1, random: at(0.999) })).reason).toBe('probability');
  });

  test('deterministic rules win over probability (random untouched)', () => {
    expect(decideReply(input({ replyProbability: 1, mentionsBot: true })).reason).toBe('mention');
    expect(decideReply(input({ replyProbability: 1, replyEveryN: 2, messagesSinceLastReply: 2 })).reason).toBe('every-n');
  });
});

describe('containsTriggerWord', () => {
  test('whole words, case-insensitive, punctuation around is fine', () => {
    for (const text of ['eos', 'Hey EOS, how are you', '@eos', '(eos)', 'is it you, eos?', 'eos\nline']) {
      expect(containsTriggerWord(text, ['eos']), text).toBe(true);
    }
    for (const text of ['eosin stain', 'neos', 'eos_bot', 'eos2', '']) {
      expect(containsTriggerWord(text, ['eos']), text).toBe(false);
    }
  });

  test('unicode letters count as word characters, with Unicode case folding', () => {
    expect(containsTriggerWord('Ça va, ÉOS ?', ['éos'])).toBe(true);
    expect(containsTriggerWord('théos', ['éos'])).toBe(false);
    expect(containsTriggerWord('Привет, Бот!', ['бот'])).toBe(true);
    expect(containsTriggerWord('работа', ['бот'])).toBe(false);
    expect(containsTriggerWord('ΣΟΦΙΑ είπε', ['σοφια'])).toBe(true);
  });

  test('matches regardless of NFC/NFD composition and ignores combining-mark extensions', () => {
    expect(containsTriggerWord('cafe\u0301 time', ['café'])).toBe(true);
    expect(containsTriggerWord('café time', ['cafe\u0301'])).toBe(true);
    expect(containsTriggerWord('cafe\u0301', ['cafe'])).toBe(false);
  });

  test('phrases, regex metacharacters and blank words', () => {
    expect(containsTriggerWord('well hey   bot there', ['hey bot'])).toBe(true);
    expect(containsTriggerWord('what is c++ anyway', ['c++'])).toBe(true);
    expect(containsTriggerWord('a.b', ['a.b'])).toBe(true);
    expect(containsTriggerWord('axb', ['a.b'])).toBe(false);
    expect(containsTriggerWord('anything', ['', '   '])).toBe(false);
    expect(containsTriggerWord('ask e-os now', ['e-os'])).toBe(true);
    for (const word of ['(y)', '[z]', '{w}', 'a|b', '^$', '\\', '/']) {
      expect(containsTriggerWord('x (y) [z] {w} a|b ^$ \\ /', [word]), word).toBe(true);
      expect(containsTriggerWord('nothing here', [word]), word).toBe(false);
    }
  });
});
