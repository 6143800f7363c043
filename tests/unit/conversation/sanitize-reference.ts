/**
 * FROZEN COPY of src/conversation/sanitize.ts as of commit 3e4954c (before the fast paths and the memo of issue 12;
 * only `.replace(/\u0000/g, "")` written as the equivalent replaceAll for the linter):
 * the oracle tests/unit/conversation/scrub-fast.test.ts compares the current implementation with. Do not edit.
 */
export interface MentionNames {
  user?: (id: string) => string | undefined;
  role?: (id: string) => string | undefined;
  channel?: (id: string) => string | undefined;
  /** What `toDatasetText` replaces by placeholders (config `privacy`); every kind is on when absent. */
  privacy?: Partial<PrivacyOptions>;
}

/** Kinds of personal data replaced by placeholders in dataset texts (all on by default). */
export interface PrivacyOptions {
  /** Bare user IDs (15-25 digit numbers) → "[id]". */
  ids: boolean;
  /** E-mail addresses → "[email]". */
  emails: boolean;
  /** Phone numbers (+country code and 8+ digits, or 9+ digits in groups starting with 3+) → "[phone]". */
  phones: boolean;
  /** API keys and tokens (OpenAI, GitHub, Slack, AWS, Google, Discord, JWT, "Bearer …", "api_key=…") → "[key]". */
  keys: boolean;
}

export const PRIVACY_DEFAULTS: PrivacyOptions = { ids: true, emails: true, phones: true, keys: true };

const ZWSP = '\u200B';
/** Discord pings @everyone / @here even when letters follow, so any occurrence is defused. */
const MENTION = /<@!?(\d+)>|<@&(\d+)>|<#(\d+)>|@(everyone|here)/gi;

/** A resolved name that cannot form a mention itself. */
function safeName(name: string | undefined, fallback: string): string {
  const cleaned = (name ?? '')
    .replace(/[<>@#]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
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

/** Keys may be glued to words; an "sk-" body needs a capital or a digit (real keys have them, "task-management-system" not). */
const KEY_PATTERNS: readonly RegExp[] = [
  /sk-(?:proj-|ant-|live-|test-|svcacct-)?(?=[a-z_-]{0,40}[A-Z0-9])[A-Za-z0-9_-]{16,}/g,
  /(?:gh[pousr]|github_pat)_[A-Za-z0-9_]{20,}/g,
  /xox[abposr]-[A-Za-z0-9-]{10,}/g,
  /(?:AKIA|ASIA)[0-9A-Z]{16}/g,
  /AIza[0-9A-Za-z_-]{35}/g,
  /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];
/** A Discord bot token is `<23-28 chars>.<6-7>.<27+>`; found from its dots (a leading character class at every position was slow). */
const DISCORD_TOKEN_TAIL = /\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}/g;
const TOKEN_CHAR = /[A-Za-z0-9_-]/;
const KEY_LABELLED =
  /\b(bearer|bot|api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|password|passwd)(\s*[:=]\s*|\s+)(["']?)[A-Za-z0-9._~+/=-]{16,}\3/gi;
/** The domain part of an e-mail address, from its "@"; the local part is found backwards (see replaceBack). */
const EMAIL_DOMAIN = /@[\p{L}\p{N}-]{1,63}(?:\.[\p{L}\p{N}-]{1,63}){0,8}\.\p{L}{2,24}/gu;
const EMAIL_LOCAL_CHAR = /[\p{L}\p{N}._%+-]/u;
/** "@" + a snowflake-sized number: a hand-typed user mention. */
const AT_ID = /@\d{15,}/g;
/** Digit groups (an optional +country code and (area code)); letters may touch it, digits may not. */
const PHONE = /(?:(?<![\p{N}+])|(?=[(+]))(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{1,8}(?:[\s.-]\d{2,8}){0,6}(?!\p{N}|[.:/-]\d)/gu;
/** 15 or more digits in a row: a user ID (or something as identifying). */
const BARE_ID = /(?<!\p{N})\d{15,}(?!\p{N})/gu;
const DATE_LIKE = /^\d{4}[-./]\d{1,2}[-./]\d{1,2}|^\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$|^\d{1,3}(?:\.\d{1,3}){3}$/;

/**
 * Replaces `<min..max chars matching back><anchor match>` by `replacement`, scanning only from each
 * anchor match (the anchors are rare characters), so long text without them costs one pass.
 */
function replaceBack(text: string, anchor: RegExp, back: RegExp, min: number, max: number, replacement: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(anchor)) {
    let start = m.index;
    while (start > last && m.index - start < max && back.test(text[start - 1] ?? '')) start -= 1;
    if (m.index - start < min) continue;
    out += text.slice(last, start) + replacement;
    last = m.index + m[0].length;
  }
  return last === 0 ? text : out + text.slice(last);
}

function phoneOrNot(match: string): string {
  const digits = match.replace(/\D/g, '').length;
  const plus = match.startsWith('+');
  const grouped = /[\s.()-]/.test(match);
  if (DATE_LIKE.test(match)) return match;
  // Over 15 digits in groups: several numbers run together, or a card number; personal data all the same.
  if (plus ? digits >= 8 : grouped && digits >= 9 && /^\(?\d{3,}/.test(match)) return '[phone]';
  return match;
}

/**
 * Replaces personal data by placeholders: API keys/tokens, e-mail addresses, "@<snowflake>" (always,
 * as "@user"), phone numbers and bare user IDs. Total: any string in, a string out.
 */
export function scrubPrivate(text: string, options: Partial<PrivacyOptions> = {}): string {
  const o = { ...PRIVACY_DEFAULTS, ...options };
  let out = text;
  // Cheap checks first: each pattern needs a character most chat text has few of.
  if (o.keys) {
    out = out.replace(KEY_LABELLED, (_, label: string, sep: string) => `${label}${sep}[key]`);
    for (const pattern of KEY_PATTERNS) out = out.replace(pattern, '[key]');
    if (out.includes('.')) out = replaceBack(out, DISCORD_TOKEN_TAIL, TOKEN_CHAR, 23, 28, '[key]');
  }
  if (out.includes('@')) {
    if (o.emails && out.includes('.')) out = replaceBack(out, EMAIL_DOMAIN, EMAIL_LOCAL_CHAR, 1, 64, '[email]');
    out = out.replace(AT_ID, '@user');
  }
  if (!/\d/.test(out)) return out;
  if (o.phones) out = out.replace(PHONE, phoneOrNot);
  if (o.ids) out = out.replace(BARE_ID, '[id]');
  return out;
}

function formatTimestamp(seconds: string): string {
  const date = new Date(Number(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? seconds : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Chat text as it should appear in a dataset: mentions as names (mass mentions as the plain words
 * "everyone"/"here", so a model trained on it does not learn to ping), custom emoji as ":name:",
 * slash-command mentions as "/name", Discord timestamps as UTC dates, no zero-width characters
 * (ZWJ inside emoji is kept), NFC, LF line breaks, no trailing spaces, at most one blank line in a
 * row, no NUL, trimmed; then `scrubPrivate` (personal data → placeholders, per `names.privacy`).
 */
export function toDatasetText(text: string, names: MentionNames = {}): string {
  const replaced = replaceMentions(String(text).replace(ZERO_WIDTH, ''), names, (word) => word.toLowerCase())
    .replace(CUSTOM_EMOJI, ':$1:')
    .replace(SLASH_COMMAND, '/$1')
    .replace(TIMESTAMP, (_, seconds: string) => formatTimestamp(seconds));
  return scrubPrivate(replaced, names.privacy)
    .replaceAll('\u0000', '')
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
