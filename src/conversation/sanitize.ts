/**
 * Text hygiene around the LLM: `stripMentions` defuses pings in model output before it is posted
 * (the bot must never ping @everyone or anyone else), `toDatasetText` normalizes chat text for
 * training datasets. Pair stripMentions with `allowedMentions: { parse: [] }` in the adapter:
 * this is the second line of defense, not the only one.
 */

/** Optional resolvers for readable names; IDs never appear in the output. */
export interface MentionNames {
  user?: (id: string) => string | undefined;
  role?: (id: string) => string | undefined;
  channel?: (id: string) => string | undefined;
}

const ZWSP = '\u200B';
/** Discord pings @everyone / @here even when letters follow, so any occurrence is defused. */
const MENTION = /<@!?(\d+)>|<@&(\d+)>|<#(\d+)>|@(everyone|here)/gi;

/** A resolved name that cannot form a mention itself. */
function safeName(name: string | undefined, fallback: string): string {
  const cleaned = (name ?? '').replace(/[<>@#]/g, '').replace(/\s+/g, ' ').trim();
  return cleaned || fallback;
}

function replaceMentions(text: string, names: MentionNames, mass: (word: string) => string): string {
  return text.replace(MENTION, (whole, user?: string, role?: string, channel?: string, massWord?: string) => {
    if (user !== undefined) return `@${safeName(names.user?.(user), 'user')}`;
    if (role !== undefined) return `@${safeName(names.role?.(role), 'role')}`;
    if (channel !== undefined) return `#${safeName(names.channel?.(channel), 'channel')}`;
    return massWord !== undefined ? mass(massWord) : whole;
  });
}

/**
 * Turns <@id>, <@!id> and <@&id> into "@name" (or "@user" / "@role"), <#id> into "#name" (or
 * "#channel"), and breaks @everyone / @here with a zero-width space so they show but never ping.
 * Idempotent.
 */
export function stripMentions(text: string, names: MentionNames = {}): string {
  return replaceMentions(text, names, (word) => `@${ZWSP}${word}`);
}

const ZERO_WIDTH = /[\u200B\u2060\uFEFF]/g;
const CUSTOM_EMOJI = /<a?:(\w{2,32}):\d+>/g;
const TIMESTAMP = /<t:(-?\d{1,13})(?::[tTdDfFR])?>/g;
const SLASH_COMMAND = /<\/([\w -]{1,100}):\d+>/g;

function formatTimestamp(seconds: string): string {
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? seconds : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Chat text as it should appear in a dataset: mentions as names (mass mentions as the plain words
 * "everyone"/"here", so a model trained on it does not learn to ping), custom emoji as ":name:",
 * slash-command mentions as "/name", Discord timestamps as UTC dates, no zero-width characters
 * (ZWJ inside emoji is kept), NFC, LF line breaks, no trailing spaces, at most one blank line in a
 * row, trimmed.
 */
export function toDatasetText(text: string, names: MentionNames = {}): string {
  const replaced = replaceMentions(text.replace(ZERO_WIDTH, ''), names, (word) => word.toLowerCase())
    .replace(CUSTOM_EMOJI, ':$1:')
    .replace(SLASH_COMMAND, '/$1')
    .replace(TIMESTAMP, (_, seconds: string) => formatTimestamp(seconds));
  return replaced
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * Keeps user mentions (a command may ping a user on purpose) but defuses @everyone, @here and role
 * mentions in any text Eos sends: the second line of defence after Discord's allowed_mentions.
 */
export function defuseMassMentions(text: string): string {
  return text.replace(/@(everyone|here)\b/g, '@\u200b$1').replace(/<@&(\d+)>/g, '@role');
}
