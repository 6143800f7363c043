/**
 * Hostile chat input from a seeded PRNG (mulberry32): huge messages, tricky Unicode, NUL bytes,
 * mention floods, unbalanced code fences, every command with random arguments, prefix-only
 * messages and very long command names. The same seed gives the same inputs.
 */
import { createCommandIndex } from '../../src/commands/index.js';
import { fuzzCount, fuzzSeed, int, pick, prng } from '../unit/conversation/prng.js';

export { fuzzCount, fuzzSeed, int, pick, prng };
export type Rng = () => number;

export interface Ids {
  users: readonly string[];
  roles: readonly string[];
  channels: readonly string[];
  bot: string;
}

export interface HostileInput {
  kind: string;
  content: string;
}

const RTL = ['\u202e', '\u202b', '\u200f', 'مرحبا بالعالم', 'שלום עולם', '\u202egnp.exe', '\u2067isolate\u2069'];
const EMOJI = ['👨‍👩‍👧‍👦', '🏳️‍🌈', '👩🏽‍💻', '🧑‍🤝‍🧑', '❤️‍🔥', '🇺🇳', '👍🏿', '1️⃣', '🫠'];
const ODD = [
  '\ud800',
  '\udfff',
  '\ud83d',
  '\ufeff',
  '\u200b',
  '\u2060',
  '\uffff',
  '\ufffd',
  '\u0085',
  '\u2028',
  '\u2029',
  '\u0000',
  '\u001b[31m',
  '\r\n',
  '\t',
];
const COMBINING = Array.from({ length: 0x36f - 0x300 + 1 }, (_, i) => String.fromCharCode(0x300 + i));
const WORDS = [
  'eos',
  'hello',
  'train',
  'User:',
  'Assistant:',
  '```',
  '`',
  '||spoiler||',
  '**bold**',
  '> quote',
  '# head',
  'http://127.0.0.1/',
  '{}',
  '[]',
  '"',
  "'",
  '\\',
  '../',
  '%2e%2e/',
  '${x}',
  '{user_name}',
  '{bot_name}',
  '<script>',
  'null',
  'NaN',
  '-0',
  '1e309',
  '0x1F',
];

function text(r: Rng, n: number): string {
  let s = '';
  while (s.length < n) s += r() < 0.8 ? `${pick(r, WORDS)} ` : pick(r, ODD);
  return s.slice(0, n);
}

function zalgo(r: Rng, base: string): string {
  return [...base].map((ch) => ch + Array.from({ length: int(r, 5, 60) }, () => pick(r, COMBINING)).join('')).join('');
}

function mentions(r: Rng, ids: Ids): string {
  const kind = int(r, 0, 5);
  if (kind === 0) return Array.from({ length: 500 }, () => `<@${pick(r, ids.users)}>`).join(' ');
  if (kind === 1) return Array.from({ length: int(r, 1, 200) }, () => `<@&${pick(r, ids.roles)}>`).join('');
  if (kind === 2)
    return `@everyone @here ${pick(r, ['@EVERYONE', '@Here', '@\u200beveryone', '@@everyone', '@everyone\u0000'])} ${text(r, 40)}`;
  if (kind === 3)
    return `<@${ids.bot}> @everyone <@&${pick(r, ids.roles)}> <@!${pick(r, ids.users)}> <#${pick(r, ids.channels)}> ${text(r, 60)}`;
  if (kind === 4) return Array.from({ length: 300 }, () => `<#${pick(r, ids.channels)}>`).join('');
  return `<@${'9'.repeat(int(r, 1, 40))}> <@&0> <@!> <@&> <@> <#> <@${ids.bot}>`;
}

function codeBlocks(r: Rng): string {
  return pick(r, [
    '```',
    '```js\nconst x = 1;',
    '````\n```\n`',
    '```\n'.repeat(int(r, 1, 40)),
    '`'.repeat(int(r, 1, 2001)),
    `\`\`\`json\n${'{"a":'.repeat(50)}`,
    '``` ``` ```',
    `\`\`\`\n${text(r, 3000)}`,
    '~~~\n```\n~~~',
  ]);
}

function argument(r: Rng, ids: Ids): string {
  return pick(r, [
    () => String(pick(r, [0, 1, -1, 2, 0.5, 1e309, -0, 1e20, Number.NaN])),
    () => pick(r, ['NaN', 'Infinity', '-Infinity', '1e-400', '0x10', '1_0', '１', '٣', ' ', '""', "''", '"', "'unclosed"]),
    () => `<@${pick(r, ids.users)}>`,
    () => `<#${pick(r, ids.channels)}>`,
    () => `<@&${pick(r, ids.roles)}>`,
    () => '@everyone',
    () => pick(r, ['start', 'status', 'cancel', 'use', 'positive', 'negative', 'reset', 'off', 'all', 'sft', 'dpo', 'default']),
    () => pick(r, ['../../etc/passwd', 'datasets/../../x', '/etc/passwd', 'C:\\x', '%2e%2e%2f', 'datasets/default/positive.jsonl']),
    () => pick(r, ['[]', '[{}]', '{"a":1}', '[{"input":"x","assert":[{"type":"regex","value":"(a+)+$"}]}]', '[' + '['.repeat(200), 'null']),
    () => 'User: hi\nAssistant: hello',
    () => text(r, int(r, 1, 300)),
    () => zalgo(r, 'abc'),
    () => pick(r, EMOJI) + pick(r, RTL),
    () => 'x'.repeat(int(r, 100, 5000)),
    () => '\n'.repeat(int(r, 1, 50)),
    () => '\u0000'.repeat(int(r, 1, 10)),
  ])();
}

const COMMANDS = [...createCommandIndex().values()].flatMap((c) => [c.name, ...(c.aliases ?? [])]);

function command(r: Rng, ids: Ids, prefix: string): string {
  const name = pick(r, COMMANDS);
  const cased = r() < 0.1 ? name.toUpperCase() : name;
  const args = Array.from({ length: int(r, 0, 4) }, () => argument(r, ids)).join(pick(r, [' ', '  ', '\n', '\t']));
  return `${prefix}${cased}${args ? ' ' : ''}${args}`;
}

const MAKERS: [string, (r: Rng, ids: Ids, prefix: string) => string][] = [
  ['huge', (r) => (r() < 0.5 ? text(r, 100 * 1024) : pick(r, ['a', '\u0000', '😀', 'x ']).repeat(int(r, 30_000, 60_000)))],
  ['rtl', (r) => Array.from({ length: int(r, 1, 20) }, () => pick(r, RTL)).join(' ')],
  ['zalgo', (r) => zalgo(r, text(r, int(r, 3, 40)))],
  ['emoji', (r) => Array.from({ length: int(r, 1, 300) }, () => pick(r, EMOJI)).join(pick(r, ['', '\u200d', ' ']))],
  ['surrogates', (r) => Array.from({ length: int(r, 1, 50) }, () => pick(r, ODD)).join(text(r, 3))],
  ['nul', (r) => `${text(r, 20)}\u0000${text(r, 20)}\u0000`.repeat(int(r, 1, 20))],
  ['mentions', (r, ids) => mentions(r, ids)],
  ['code', (r) => codeBlocks(r)],
  ['command', (r, ids, p) => command(r, ids, p)],
  ['command', (r, ids, p) => command(r, ids, p)],
  ['command', (r, ids, p) => command(r, ids, p)],
  [
    'prefix-only',
    (r, _ids, p) => pick(r, [p, p + p, `${p} `, `${p}\n`, p.repeat(2000), `${p}${p}hi`, `${p} hi`, `${p}\u0000`, `${p}\u200bhi`]),
  ],
  ['long-name', (r, _ids, p) => `${p}${pick(r, ['a', 'hi', 'z', '_', 'é']).repeat(int(r, 30, 20_000))}${r() < 0.5 ? ' arg' : ''}`],
  [
    'mixed',
    (r, ids, p) =>
      [mentions(r, ids), codeBlocks(r), zalgo(r, 'eos'), command(r, ids, p), pick(r, EMOJI)]
        .sort(() => r() - 0.5)
        .join(pick(r, [' ', '\n'])),
  ],
];

/** One hostile message. `prefix` is the command prefix in force. */
export function hostileInput(r: Rng, ids: Ids, prefix = '!'): HostileInput {
  const [kind, make] = pick(r, MAKERS);
  return { kind, content: make(r, ids, prefix) };
}

/** Unescaped @everyone/@here or a role mention in text the bot posts (a ping if allowed_mentions ever let it through). */
export function pingHazards(content: string): string[] {
  return [...content.matchAll(/@(?:everyone|here)|<@&\d+>/gi)].map((m) => m[0]);
}

/** Collects unhandled promise rejections while a test file runs (a hostile input must not cause any). */
export function trackRejections(): { list: unknown[]; stop(): void } {
  const list: unknown[] = [];
  const handler = (reason: unknown) => void list.push(reason);
  process.on('unhandledRejection', handler);
  return { list, stop: () => void process.off('unhandledRejection', handler) };
}

/** A short, printable description of an input for failure messages. */
export function describeInput(i: number, input: HostileInput): string {
  const shown = JSON.stringify(input.content.slice(0, 120));
  return `#${i} ${input.kind} (${input.content.length} chars): ${shown}${input.content.length > 120 ? '…' : ''}`;
}
