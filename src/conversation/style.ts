/**
 * A short, deterministic description of how someone writes, from their recent messages, to be
 * appended to the system prompt so the bot can mirror it. Works on any script: casing is only
 * judged when the messages contain cased letters, lengths count code points.
 */

const MIN_MESSAGES = 3;
const EMOJI = /\p{Extended_Pictographic}|<a?:\w+:\d+>/u;
const TRAILING_EMOJI = /(?:\s|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F|\u200D|<a?:\w+:\d+>)+$/u;
const TERMINAL = /[.!?。！？…]$/u;
const HAS_CASED = /[\p{Lu}\p{Ll}]/u;
const NOT_CASED = /[^\p{Lu}\p{Ll}]+/gu;
const NOT_UPPER = /\P{Lu}+/gu;

interface Stats {
  count: number;
  avgLength: number;
  emoji: number;
  terminal: number;
  repeated: number;
  ellipsis: number;
  /** Ratios among messages with at least one cased letter; null when too few have any. */
  lowercase: number | null;
  shouting: number | null;
}

function ratio(messages: readonly string[], test: (m: string) => boolean): number {
  return messages.filter(test).length / messages.length;
}

/** Code points in `s` (as Array.from(s).length counts them: a lone surrogate is one), without building an array. */
function codePoints(s: string): number {
  let pairs = 0;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        pairs++;
        i++;
      }
    }
  }
  return s.length - pairs;
}

function collectStats(messages: readonly string[]): Stats {
  const lengths = messages.map(codePoints);
  const cased = messages.filter((m) => HAS_CASED.test(m));
  const enoughCased = cased.length >= MIN_MESSAGES;
  return {
    count: messages.length,
    avgLength: Math.round(lengths.reduce((a, b) => a + b, 0) / messages.length),
    emoji: ratio(messages, (m) => EMOJI.test(m)),
    terminal: ratio(messages, (m) => TERMINAL.test(m.replace(TRAILING_EMOJI, ''))),
    repeated: ratio(messages, (m) => /[!?]{2,}|？{2,}|！{2,}/.test(m)),
    ellipsis: ratio(messages, (m) => /\.\.\.|…/.test(m)),
    lowercase: enoughCased ? ratio(cased, (m) => !/\p{Lu}/u.test(m)) : null,
    shouting: enoughCased ? ratio(cased, isShouting) : null,
  };
}

/** Counts by removing what does not match (one string each) rather than an array of every match. */
function isShouting(message: string): boolean {
  const casedOnly = message.replace(NOT_CASED, '');
  const cased = codePoints(casedOnly);
  if (cased < 4) return false;
  const upper = codePoints(casedOnly.replace(NOT_UPPER, ''));
  return upper / cased >= 0.7;
}

function lengthTrait(avg: number): string {
  const size = avg < 30 ? 'very short' : avg < 80 ? 'short' : avg < 200 ? 'medium-length' : 'long';
  return `writes ${size} messages (about ${avg} characters)`;
}

function traits(s: Stats): string[] {
  const out = [lengthTrait(s.avgLength)];
  if (s.shouting !== null && s.shouting >= 0.5) out.push('often writes in ALL CAPS');
  else if (s.lowercase !== null && s.lowercase >= 0.6) out.push('writes in all lowercase');
  else if (s.lowercase !== null && s.lowercase <= 0.2) out.push('capitalizes normally');
  if (s.terminal >= 0.7) out.push('ends sentences with punctuation');
  else if (s.terminal <= 0.25) out.push('rarely uses ending punctuation');
  if (s.repeated >= 0.3) out.push('often uses repeated "!!" or "??"');
  if (s.ellipsis >= 0.3) out.push('often trails off with "..."');
  if (s.emoji >= 0.5) out.push('uses emoji often');
  else if (s.emoji >= 0.2) out.push('uses emoji sometimes');
  else if (s.emoji === 0) out.push('uses no emoji');
  return out;
}

function joinTraits(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}

/** Null when fewer than 3 non-empty messages are given. */
export function buildStyleNote(userName: string, recent: readonly string[]): string | null {
  const messages = recent.map((m) => m.trim()).filter((m) => m.length > 0);
  if (messages.length < MIN_MESSAGES) return null;
  const name = userName.replace(/\s+/g, ' ').trim() || 'The user';
  return `Style note: ${name} ${joinTraits(traits(collectStats(messages)))}. Loosely mirror this style when replying to them.`;
}
