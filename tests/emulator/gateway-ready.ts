/** Payloads the gateway builds from state: READY and GUILD_MEMBERS_CHUNK. */
import { memberObject, userObject, type Json } from './objects.js';
import type { EmuState } from './state.js';

export function readyPayload(state: EmuState, p: { sessionId: string; resumeUrl: string; shard: unknown; guildIds?: string[] }): Json {
  return {
    v: 10,
    user: { ...userObject(state.botUser), verified: true, mfa_enabled: false, email: null },
    user_settings: {},
    guilds: (p.guildIds ?? [...state.guilds.keys()]).map((id) => ({ id, unavailable: true })),
    private_channels: [],
    relationships: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: ['local'],
    session_id: p.sessionId,
    session_type: 'normal',
    resume_gateway_url: p.resumeUrl,
    shard: Array.isArray(p.shard) ? p.shard : [0, 1],
    application: { id: state.applicationId, flags: 0 },
    auth: {},
    _trace: ['["discord-emulator",{"micros":0}]'],
  };
}

/** Answer to op 8 REQUEST_GUILD_MEMBERS (one chunk). */
export function memberChunk(state: EmuState, d: Json): Json {
  const guildId = String(d.guild_id ?? '');
  const wantedIds = Array.isArray(d.user_ids) ? d.user_ids.map(String) : typeof d.user_ids === 'string' ? [d.user_ids] : null;
  const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
  const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : Infinity;
  const members = state.guilds.has(guildId) ? state.guildMembers(guildId) : [];
  const matching = members
    .filter((m) => (wantedIds ? wantedIds.includes(m.userId) : state.user(m.userId).username.toLowerCase().startsWith(query)))
    .slice(0, limit);
  const notFound = wantedIds ? wantedIds.filter((id) => !members.some((m) => m.userId === id)) : [];
  return {
    guild_id: guildId,
    members: matching.map((m) => memberObject(state, m)),
    chunk_index: 0,
    chunk_count: 1,
    ...(notFound.length > 0 ? { not_found: notFound } : {}),
    ...(d.presences ? { presences: [] } : {}),
    ...(d.nonce !== undefined ? { nonce: d.nonce } : {}),
  };
}
