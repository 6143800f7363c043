import { describe, expect, test } from 'vitest';
import { parsePrefixArgs, tokenize } from '../../../src/core/args.js';
import type { CommandOption } from '../../../src/core/command.js';
import { UserError } from '../../../src/core/errors.js';

const puppet: CommandOption[] = [
  { name: 'channel', description: '', type: 'channel', required: true },
  { name: 'text', description: '', type: 'string', required: true, rest: true },
];

describe('prefix argument parsing', () => {
  test('tokenize keeps quoted words together', () => {
    expect(tokenize(`a "b c" 'd e' f`).tokens).toEqual(['a', 'b c', 'd e', 'f']);
  });

  test('rest option takes the remaining text verbatim', () => {
    const args = parsePrefixArgs(puppet, '<#123456789012345678>   hello   "world"  ', 'puppet');
    expect(args).toEqual({ channel: '123456789012345678', text: 'hello   "world"' });
  });

  test('missing required option is a UserError naming it', () => {
    expect(() => parsePrefixArgs(puppet, '<#123456789012345678>', 'puppet #channel <text>')).toThrowError(/Missing `text`/);
    try {
      parsePrefixArgs(puppet, '', 'x');
    } catch (err) {
      expect(err).toBeInstanceOf(UserError);
      expect((err as UserError).identifier).toBe('MissingArgument');
    }
  });

  test('numbers are checked against min and max', () => {
    const opts: CommandOption[] = [{ name: 'n', description: '', type: 'number', min: 0, max: 2 }];
    expect(parsePrefixArgs(opts, '1.5', 'n')).toEqual({ n: 1.5 });
    expect(() => parsePrefixArgs(opts, '3', 'n')).toThrowError(/at most 2/);
    expect(() => parsePrefixArgs(opts, 'abc', 'n')).toThrowError(/must be a number/);
  });

  test('user mentions and raw ids both parse; junk does not', () => {
    const opts: CommandOption[] = [{ name: 'u', description: '', type: 'user' }];
    expect(parsePrefixArgs(opts, '<@!123456789012345678>', 'u')).toEqual({ u: '123456789012345678' });
    expect(parsePrefixArgs(opts, '123456789012345678', 'u')).toEqual({ u: '123456789012345678' });
    expect(() => parsePrefixArgs(opts, '@everyone', 'u')).toThrowError(/user mention/);
  });

  test('choices are case-insensitive and enforced', () => {
    const opts: CommandOption[] = [{ name: 'kind', description: '', type: 'string', choices: ['positive', 'negative'] }];
    expect(parsePrefixArgs(opts, 'Positive', 'k')).toEqual({ kind: 'positive' });
    expect(() => parsePrefixArgs(opts, 'neutral', 'k')).toThrowError(/one of positive, negative/);
  });
});
