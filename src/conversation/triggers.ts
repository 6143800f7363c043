export type ReplyReason = 'dm' | 'mention' | 'reply' | 'trigger' | 'probability' | 'every-n' | 'none';

export interface ReplyInput {
  isDM: boolean;
  mentionsBot: boolean;
  replyToBot: boolean;
  /** Message text (clean content: mentions already turned into names). */
  content: string;
  /** Words or phrases that make the bot answer, matched as whole words, case-insensitively. */
  triggerWords: readonly string[];
  /** Chance (0..1) to answer any other message. */
  replyProbability: number;
  /** Answer every Nth message (0 or less: never). */
  replyEveryN: number;
  /** Messages seen in the channel since the bot last replied, including this one. */
  messagesSinceLastReply: number;
  /** Uniform in [0, 1); called at most once, and only when the probability rule is reached. */
  random: () => number;
}

export interface ReplyDecision {
  reply: boolean;
  reason: ReplyReason;
}

/**
 * Whether to answer a message, checking the rules in order: DM, mention, reply to the bot,
 * trigger word, every-N counter, then the random probability (so deterministic rules never
 * consume randomness).
 */
export function decideReply(input: ReplyInput): ReplyDecision {
  if (input.isDM) return { reply: true, reason: 'dm' };
  if (input.mentionsBot) return { reply: true, reason: 'mention' };
  if (input.replyToBot) return { reply: true, reason: 'reply' };
  if (containsTriggerWord(input.content, input.triggerWords)) return { reply: true, reason: 'trigger' };
  if (input.replyEveryN > 0 && input.messagesSinceLastReply >= input.replyEveryN) return { reply: true, reason: 'every-n' };
  if (input.replyProbability > 0 && input.random() < input.replyProbability) return { reply: true, reason: 'probability' };
  return { reply: false, reason: 'none' };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * True when one of the words occurs in the text as a whole word: not preceded or followed by a
 * letter, digit, combining mark or underscore, in any script ("eos" matches "Eos," and "@eos" but
 * not "eosin" or "neos"). Case-insensitive with Unicode case folding; both sides are NFC-normalized.
 * Blank words are ignored; a phrase with spaces matches with any run of whitespace.
 */
export function containsTriggerWord(text: string, words: readonly string[]): boolean {
  let haystack: string | null = null;
  for (const word of words) {
    const re = wordPattern(word);
    if (!re) continue;
    haystack ??= text.normalize('NFC');
    if (re.test(haystack)) return true;
  }
  return false;
}

/** Compiled patterns of trigger words (config and per-server words: few), so a message compiles nothing. */
const PATTERNS = new Map<string, RegExp | null>();
const MAX_PATTERNS = 1_000;

function wordPattern(word: string): RegExp | null {
  let re = PATTERNS.get(word);
  if (re !== undefined) return re;
  const needle = word.normalize('NFC').trim();
  const body = needle.split(/\s+/).map(escapeRegExp).join('\\s+');
  re = needle ? new RegExp(`(?<![\\p{L}\\p{N}\\p{M}_])${body}(?![\\p{L}\\p{N}\\p{M}_])`, 'iu') : null;
  if (PATTERNS.size >= MAX_PATTERNS) PATTERNS.clear();
  PATTERNS.set(word, re);
  return re;
}
