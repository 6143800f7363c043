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

/** Characters of key/token bodies and of the labelled-key values (`_` included). */
function isTokenChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) || // a-z
    (c >= 65 && c <= 90) || // A-Z
    (c >= 45 && c <= 57) || // - . / 0-9
    c === 95 || // _
    c === 43 || // +
    c === 61 || // =
    c === 126 // ~
  );
}

/** Shortest run of token characters any key pattern matches: "xoxb-" + 10 (every other pattern needs more). */
const KEY_MIN_RUN = 15;

/**
 * Whether `text` has a run of at least `min` token characters: every key pattern above needs one (its body,
 * prefix included, is made of them), so text without such a run has no key and skips the key passes.
 */
function hasTokenRun(text: string, min: number): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (isTokenChar(text.charCodeAt(i))) {
      if (++run >= min) return true;
    } else run = 0;
  }
  return false;
}

/**
 * Replaces personal data by placeholders: API keys/tokens, e-mail addresses, "@<snowflake>" (always,
 * as "@user"), phone numbers and bare user IDs. Total: any string in, a string out.
 */
export function scrubPrivate(text: string, options: Partial<PrivacyOptions> = {}): string {
  const o = { ...PRIVACY_DEFAULTS, ...options };
  let out = text;
  // Cheap checks first: each pattern needs something most chat text has little of (a long run of token
  // characters, an '@', a dot, a digit); tests/unit/conversation/scrub-fast.test.ts holds this against the
  // implementation without them.
  if (o.keys && hasTokenRun(out, KEY_MIN_RUN)) {
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
 *
 * Cost: the same texts come back again and again (every reply's context is the channel's recent history; an
 * observed message is sanitized for the privacy index and for the conversation log), so everything after the
 * mention step (which depends on `names`) is memoized per text and privacy options (`DatasetTextCache`).
 */
export function toDatasetText(text: string, names: MentionNames = {}): string {
  let s = String(text).replace(ZERO_WIDTH, '');
  // Every mention, custom emoji, slash-command mention and timestamp starts with '<' (mass mentions with '@').
  const angle = s.includes('<');
  if (angle || s.includes('@')) s = replaceMentions(s, names, (word) => word.toLowerCase());
  if (angle) {
    s = s
      .replace(CUSTOM_EMOJI, ':$1:')
      .replace(SLASH_COMMAND, '/$1')
      .replace(TIMESTAMP, (_, seconds: string) => formatTimestamp(seconds));
  }
  const o = { ...PRIVACY_DEFAULTS, ...names.privacy };
  const key = `${o.ids ? 1 : 0}${o.emails ? 1 : 0}${o.phones ? 1 : 0}${o.keys ? 1 : 0}${s}`;
  const cached = DATASET_TEXT_CACHE.get(key);
  if (cached !== undefined) return cached;
  const out = tidy(scrubPrivate(s, o));
  DATASET_TEXT_CACHE.set(key, out);
  return out;
}

/** No NUL, NFC, LF line breaks, no trailing spaces, at most one blank line in a row, trimmed. */
function tidy(text: string): string {
  let s = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  s = s.normalize('NFC');
  if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n');
  // Multiline `$` is the end of the text or a line terminator (no '\r' is left).
  if (TRAILING_BLANK.test(s)) s = s.replace(/[ \t]+$/gm, '');
  if (s.includes('\n\n\n')) s = s.replace(/\n{3,}/g, '\n\n');
  return s.trim();
}

const TRAILING_BLANK = /[ \t](?:[\n\u2028\u2029]|$)/;

/**
 * A bounded least-recently-used memo of toDatasetText's text-only steps, keyed by privacy options + text. Its
 * size is counted in characters (keys and values), so a few huge texts cannot hold much memory.
 */
export class DatasetTextCache {
  private readonly map = new Map<string, string>();
  private chars = 0;

  constructor(
    private readonly maxChars = 4_000_000,
    private readonly maxEntryChars = 250_000,
  ) {}

  get(key: string): string | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: string): void {
    const size = key.length + value.length;
    if (size > this.maxEntryChars || this.map.has(key)) return;
    this.map.set(key, value);
    this.chars += size;
    for (const [k, v] of this.map) {
      if (this.chars <= this.maxChars) break;
      this.map.delete(k);
      this.chars -= k.length + v.length;
    }
  }

  get size(): number {
    return this.map.size;
  }
}

/** Memo of a pure function's results (not state): shared by every caller in the process. */
const DATASET_TEXT_CACHE = new DatasetTextCache();

/**
 * Keeps user mentions (a command may ping a user on purpose) but defuses @everyone, @here and role
 * mentions in any text Eos sends: the second line of defence after Discord's allowed_mentions.
 */
export function defuseMassMentions(text: string): string {
  return text.replace(/@(everyone|here)\b/g, '@\u200b$1').replace(/<@&(\d+)>/g, '@role');
}
