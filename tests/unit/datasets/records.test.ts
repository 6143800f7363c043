import { describe, expect, test } from 'vitest';
import { anonymizeMessages, SpeakerLabels } from '../../../src/datasets/anonymize.js';
import { containsUserMention, datasetName, InvalidRecordError, sanitizeChatRecord, sanitizeMessage } from '../../../src/datasets/records.js';

describe('record hygiene', () => {
  test('containsUserMention spots user and role mentions with snowflake IDs', () => {
    expect(containsUserMention('hi <@123456789012345678>')).toBe(true);
    expect(containsUserMention('hi <@!123456789012345678>')).toBe(true);
    expect(containsUserMention('hi <@&123456789012345678>')).toBe(true);
    expect(containsUserMention('hi @Alice, mail me at a@b.c, <@name>')).toBe(false);
  });

  test('resolver names cannot smuggle a mention back in', () => {
    const names = { user: () => '<@123456789012345678>' };
    const m = sanitizeMessage({ role: 'user', content: 'yo <@1111111111111111111>' }, names);
    expect(m.content).not.toMatch(/<@|\d{15}/);
  });

  test('datasetName strips mention characters and caps the length', () => {
    expect(datasetName('  @Ali#ce <3  ')).toBe('Alice 3');
    expect(datasetName('x'.repeat(100))).toHaveLength(64);
  });

  test('error messages name the offending place', () => {
    const err = (() => {
      try {
        sanitizeChatRecord({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', name: 42 }] });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InvalidRecordError);
    expect((err as Error).message).toContain('messages[1].name');
  });
});

describe('anonymous speaker labels', () => {
  test('stable labels in order of first appearance, mentions of speakers replaced', () => {
    const out = anonymizeMessages([
      { role: 'system', content: 'Be nice to @Bob.' },
      { role: 'user', content: 'hi', name: 'Alice' },
      { role: 'user', content: 'hey @Alice and @Alicea', name: 'Bob' },
      { role: 'assistant', content: 'hello @Bob', name: 'Eos' },
      { role: 'user', content: 'me again', name: 'Alice' },
    ]);
    expect(out).toEqual([
      { role: 'system', content: 'Be nice to @Speaker 2.' },
      { role: 'user', content: 'hi', name: 'Speaker 1' },
      { role: 'user', content: 'hey @Speaker 1 and @Alicea', name: 'Speaker 2' },
      { role: 'assistant', content: 'hello @Speaker 2', name: 'Eos' },
      { role: 'user', content: 'me again', name: 'Speaker 1' },
    ]);
  });

  test('a shared SpeakerLabels keeps labels across calls', () => {
    const labels = new SpeakerLabels();
    expect(labels.label('id-1')).toBe('Speaker 1');
    anonymizeMessages([{ role: 'user', content: 'x', name: 'Zed' }], labels);
    expect(labels.label('Zed')).toBe('Speaker 2');
    expect(labels.label('id-1')).toBe('Speaker 1');
    expect(labels.size).toBe(2);
  });
});

describe('IDs never get through', () => {
  test('a resolver that falls back to the raw ID yields "@user"; literal "@<snowflake>" text becomes "@user" (issue 8: it used to throw and break capture)', () => {
    const names = { user: (id: string) => id };
    expect(sanitizeMessage({ role: 'user', content: 'hi <@123456789012345678>' }, names).content).toBe('hi @user');
    expect(sanitizeMessage({ role: 'user', content: 'ping @123456789012345678 pls' }).content).toBe('ping @user pls');
    expect(sanitizeMessage({ role: 'user', content: 'the answer is @400000000000000002' }).content).toBe('the answer is @user');
    expect(sanitizeMessage({ role: 'user', content: `@${'9'.repeat(30)}` }).content).toBe('@user');
    expect(sanitizeMessage({ role: 'user', content: 'call 0123456789 or @Alice' }).content).toBe('call 0123456789 or @Alice');
  });
});
