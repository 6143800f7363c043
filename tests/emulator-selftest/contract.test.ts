import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createDiscordContract, startDiscordEmulator, type DiscordEmulator, type EmuChannel } from '../emulator/index.js';

const contract = createDiscordContract();

let emu: DiscordEmulator;
let general: EmuChannel;

beforeEach(async () => {
  emu = await startDiscordEmulator({ contract, interactionTimeoutMs: 50 });
  general = emu.createChannel({ guildId: emu.createGuild({ name: 'G' }).id, name: 'general' });
});

afterEach(async () => {
  await emu.close();
});

function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { authorization: `Bot ${emu.token}`, 'content-type': 'application/json', ...(init.headers as Record<string, string>) };
  return fetch(`${emu.restBase}/v10${path}`, { ...init, headers });
}

describe('contract checks', () => {
  test('a JSON body that breaks the spec is reported with method, route and field', async () => {
    await api(`/channels/${general.id}/messages`, { method: 'POST', body: JSON.stringify({ content: 5 }) });
    expect(emu.contractViolations).toHaveLength(1);
    expect(emu.contractViolations[0]).toMatch(/^POST \/channels\/\{channel_id\}\/messages request: \/content must be string/);
    expect(emu.requests[0]?.violations).toEqual(emu.contractViolations);
  });

  test('a valid body produces no violation (request and response checked)', async () => {
    const res = await api(`/channels/${general.id}/messages`, { method: 'POST', body: JSON.stringify({ content: 'fine', tts: false }) });
    expect(res.status).toBe(200);
    expect(emu.contractViolations).toEqual([]);
  });

  test('multipart payload_json is checked too', async () => {
    const form = new FormData();
    form.append('payload_json', JSON.stringify({ content: 'x', embeds: 'not-a-list' }));
    form.append('files[0]', new Blob([new Uint8Array([1, 2])]), 'a.bin');
    await fetch(`${emu.restBase}/v10/channels/${general.id}/messages`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bot ${emu.token}` },
    });
    expect(emu.contractViolations.join('\n')).toMatch(/request: \/embeds must be array/);
  });

  test('query parameters are checked against their schema', async () => {
    await api(`/channels/${general.id}/messages?limit=lots`);
    expect(emu.contractViolations.join('\n')).toMatch(/GET \/channels\/\{channel_id\}\/messages query: \/limit must be integer/);
  });

  test('a path that Discord does not have is reported', async () => {
    await api('/made/up/route', { method: 'POST', body: '{}' });
    expect(emu.contractViolations).toEqual(['POST /made/up/route: no such operation in the Discord API spec']);
  });

  test('response checks catch a response that misses required fields', () => {
    const op = contract.findOperation('GET', `/channels/${general.id}/messages/123`);
    expect(op?.template).toBe('/channels/{channel_id}/messages/{message_id}');
    if (!op) return;
    const errors = contract.validateResponse(op, 200, { id: '1', content: 'no author' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^GET \/channels\/\{channel_id\}\/messages\/\{message_id\} response 200: \/ must have required property/);
    expect(contract.validateResponse(op, 404, { message: 'Unknown Message', code: 10008 })).toEqual([]);
  });

  test('literal path segments win over parameters (@me, @original)', () => {
    expect(contract.findOperation('GET', '/users/@me')?.template).toBe('/users/@me');
    expect(contract.findOperation('PATCH', '/webhooks/1/tok/messages/@original')?.template).toBe(
      '/webhooks/{webhook_id}/{webhook_token}/messages/@original',
    );
  });

  test('contractCheck: false records nothing', async () => {
    const quiet = await startDiscordEmulator({ contractCheck: false });
    try {
      const ch = quiet.createChannel({ guildId: quiet.createGuild({ name: 'Q' }).id, name: 'q' });
      await fetch(`${quiet.restBase}/v10/channels/${ch.id}/messages`, {
        method: 'POST',
        headers: { authorization: `Bot ${quiet.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: 5 }),
      });
      expect(quiet.requests).toHaveLength(1);
      expect(quiet.contractViolations).toEqual([]);
    } finally {
      await quiet.close();
    }
  });

  test('an interaction answered after the deadline gets 10062 Unknown interaction', async () => {
    const user = emu.createUser({ username: 'u' });
    emu.addMember(general.guildId ?? '', user.id);
    const itx = emu.interaction({ name: 'late', userId: user.id, channelId: general.id });
    await new Promise((r) => setTimeout(r, 80));
    const res = await fetch(`${emu.restBase}/v10/interactions/${itx.id}/${itx.token}/callback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 4, data: { content: 'too late' } }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 10062 });
  });
});
