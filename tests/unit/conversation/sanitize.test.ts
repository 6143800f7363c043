import { describe, expect, test } from 'vitest';
import { stripMentions, toDatasetText } from '../../../src/conversation/sanitize.js';

const ZWSP = '\u200B';
/** Anything Discord would turn into a ping. */
const PING = /<@!?\d+>|<@&\d+>|@everyone|@here/i;

describe('stripMentions', () => {
  test('neutralizes user, nickname, role and channel mentions', () => {
    expect(stripMentions('hi <@123456789012345678> and <@!42>!')).toBe('hi @user and @user!');
    expect(stripMentions('ping <@&987654321098765432>')).toBe('ping @role');
    expect(stripMentions('see <#111111111111111111>')).toBe('see #channel');
  });

  test('uses resolved names, which cannot smuggle a mention back in', () => {
    const names = {
      user: (id: string) => (id === '1' ? 'Ana' : id === '2' ? '<@3> @everyone' : undefined),
      role: () => 'Mods',
      channel: () => 'general',
    };
    expect(stripMentions('<@1> <@&5> <#6> <@9>', names)).toBe('@Ana @Mods #general @user');
    const tricky = stripMentions('<@2>', names);
    expect(PING.test(tricky)).toBe(false);
    expect(tricky).toBe('@3 everyone');
  });

  test('breaks @everyone and @here in every casing and position', () => {
    const out = stripMentions('@everyone look! @here too, @Everyone, x@herex');
    expect(out).toBe(`@${ZWSP}everyone look! @${ZWSP}here too, @${ZWSP}Everyone, x@${ZWSP}herex`);
    expect(PING.test(out)).toBe(false);
  });

  test('is idempotent and leaves ordinary text alone', () => {
    const once = stripMentions('<@1> @everyone <#2>');
    expect(stripMentions(once)).toBe(once);
    const plain = 'email me at ana@example.com, 2 < 3 > 1, <:pog:123456789012345678> and <@ 12>';
    expect(stripMentions(plain)).toBe(plain);
  });
});

describe('toDatasetText', () => {
  test('mentions become names, mass mentions plain words', () => {
    expect(toDatasetText('<@1> told @everyone and @here in <#2>', { user: () => 'Ana', channel: () => 'general' })).toBe(
      '@Ana told everyone and here in #general',
    );
  });

  test('undoes stripMentions output', () => {
    expect(toDatasetText(stripMentions('hey @everyone'))).toBe('hey everyone');
  });

  test('custom emoji, slash commands and timestamps become readable', () => {
    expect(toDatasetText('gg <:pog:123456789012345678> <a:dance:123456789012345678>')).toBe('gg :pog: :dance:');
    expect(toDatasetText('use </ask:123456789012345678>')).toBe('use /ask');
    expect(toDatasetText('at <t:1700000000:R> or <t:0>')).toBe('at 2023-11-14 22:13 UTC or 1970-01-01 00:00 UTC');
  });

  test('whitespace and invisible characters are normalized, emoji ZWJ kept', () => {
    const text = '\uFEFF  line one   \r\n\r\n\r\n\r\nline\u200B two\t\rthree  \n👨‍👩‍👧  ';
    expect(toDatasetText(text)).toBe('line one\n\nline two\nthree\n👨‍👩‍👧');
  });

  test('NFC normalization', () => {
    expect(toDatasetText('cafe\u0301')).toBe('caf\u00e9');
  });
});
