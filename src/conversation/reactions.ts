import type { ChatMessage } from '../llm/port.js';

/**
 * Fully-qualified emoji (RGI) — a property of strings, so it needs the `v` flag (Node 20+). Compiling these
 * takes 20–45 ms of CPU: done on first use (memoised), not at import, so it is not paid at start.
 */
let rgi: { search: RegExp; exact: RegExp } | undefined;
function rgiEmoji(): { search: RegExp; exact: RegExp } {
  rgi ??= { search: new RegExp('\\p{RGI_Emoji}', 'v'), exact: new RegExp('^\\p{RGI_Emoji}$', 'v') };
  return rgi;
}
/** Fallback for a pictograph written without its emoji variation selector (e.g. bare "❤"). */
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
const CUSTOM = /<a?:[A-Za-z0-9_]{2,32}:\d{17,20}>/;
const DECLINE = /^\W*(?:none|no|nothing|skip|n\/a|pass)\b/i;
const MAX_MESSAGE_CHARS = 500;

/**
 * The single emoji an LLM picked: the first custom Discord emoji (<:name:id> / <a:name:id>,
 * returned as written) or Unicode emoji (a full sequence: skin tones, ZWJ families and flags
 * stay whole) in the answer, whichever comes first. Null for an answer starting with "none"
 * (or no/nothing/skip/pass) and for answers without an emoji (":smile:" shortcodes are not
 * resolved). The caller should still check custom emoji against the guild's own.
 */
export function parseReactionChoice(text: string): string | null {
  const answer = text.trim();
  if (!answer || DECLINE.test(answer)) return null;
  const found = [firstMatch(answer, CUSTOM), firstMatch(answer, rgiEmoji().search), pictograph(answer)]
    .filter((m): m is { index: number; value: string } => m !== null)
    .sort((a, b) => a.index - b.index);
  return found[0]?.value ?? null;
}

function firstMatch(text: string, re: RegExp): { index: number; value: string } | null {
  const m = re.exec(text);
  return m ? { index: m.index, value: m[0] } : null;
}

/** A text-style pictograph, upgraded to its emoji form with U+FE0F. */
function pictograph(text: string): { index: number; value: string } | null {
  const m = PICTOGRAPH.exec(text);
  if (!m) return null;
  const upgraded = `${m[0]}\uFE0F`;
  return rgiEmoji().exact.test(upgraded) ? { index: m.index, value: upgraded } : null;
}

/**
 * A short prompt asking the model to react to a message with one emoji or "none". Optional
 * `customEmoji` (e.g. ["<:pog:123...>"]) are offered as extra choices.
 */
export function REACTION_PROMPT(message: string, customEmoji: readonly string[] = []): ChatMessage[] {
  const clipped = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS)}…` : message;
  const custom = customEmoji.length
    ? ` You may also use one of these server emoji, written exactly as shown: ${customEmoji.join(' ')}.`
    : '';
  return [
    {
      role: 'system',
      content:
        'You add emoji reactions to chat messages, like a friendly member of the group would. ' +
        'Answer with exactly one emoji that fits the message, or with the word none if no reaction fits ' +
        `(for example for sad news where a reaction would be rude). Answer with nothing else.${custom}`,
    },
    { role: 'user', content: `Message:\n"""\n${clipped}\n"""\nYour reaction (one emoji or none):` },
  ];
}
