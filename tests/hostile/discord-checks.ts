/** Checks on what the bot sent to the Discord emulator: limits, allowed_mentions, error answers. */
import type { DiscordEmulator } from '../emulator/index.js';
import type { RecordedRequest } from '../emulator/types.js';

type Body = Record<string, unknown>;

/** Bot requests that create or edit a message (channel messages, interaction callbacks and webhooks). */
export function messageRequests(emu: DiscordEmulator, from = 0): RecordedRequest[] {
  return emu.requests
    .slice(from)
    .filter(
      (r) =>
        (r.method === 'POST' && r.route === '/channels/{channel_id}/messages') ||
        (r.method === 'PATCH' && r.route === '/channels/{channel_id}/messages/{message_id}') ||
        r.route.startsWith('/interactions/') ||
        r.route.startsWith('/webhooks/'),
    );
}

/** The message payload of a request: JSON body, multipart payload_json, or an interaction callback's data. */
export function payloadOf(r: RecordedRequest): Body {
  const body = (r.body ?? {}) as Body;
  const json = ('payload_json' in body ? body.payload_json : body) as Body | undefined;
  if (json && r.route.startsWith('/interactions/')) return (json.data ?? {}) as Body;
  return json ?? {};
}

/**
 * Why a message request could ping @everyone, @here or a role: no allowed_mentions while the text
 * holds a mention, allowed_mentions that parses everyone or roles, or explicit role ids.
 */
export function pingProblems(r: RecordedRequest): string[] {
  const p = payloadOf(r);
  const content = typeof p.content === 'string' ? p.content : '';
  const texts = content + JSON.stringify(p.embeds ?? []);
  const am = p.allowed_mentions as { parse?: string[]; roles?: string[]; users?: string[] } | undefined;
  const where = `${r.method} ${r.path}`;
  const out: string[] = [];
  if (!am) {
    if (/@(everyone|here)|<@&?\d+>/.test(texts)) out.push(`${where}: no allowed_mentions on a message with mentions`);
    return out;
  }
  const parse = am.parse ?? [];
  if (parse.includes('everyone')) out.push(`${where}: allowed_mentions.parse includes everyone`);
  if (parse.includes('roles')) out.push(`${where}: allowed_mentions.parse includes roles`);
  if ((am.roles ?? []).length > 0) out.push(`${where}: allowed_mentions.roles = ${JSON.stringify(am.roles)}`);
  return out;
}

/** Message requests the emulator refused (400 over 2000 characters, 50006 empty message, ...). */
export function refusedRequests(emu: DiscordEmulator, from = 0): string[] {
  return messageRequests(emu, from)
    .filter((r) => r.status >= 400)
    .map((r) => `${r.method} ${r.path} -> ${r.status} ${JSON.stringify(r.response).slice(0, 200)}`);
}

/** Resolves once the bot has made no REST request for `quietMs` (or after `maxMs`). */
export async function quiescent(emu: DiscordEmulator, quietMs = 400, maxMs = 20_000): Promise<void> {
  const started = Date.now();
  let count = emu.requests.length;
  let since = Date.now();
  while (Date.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (emu.requests.length !== count) {
      count = emu.requests.length;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}
