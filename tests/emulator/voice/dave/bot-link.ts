/**
 * The bot's side of DAVE on the emulator's voice gateway: its BotVoiceSession joins the channel's DaveGroup once the
 * session is described with dave_protocol_version 1; JSON ops 23/31 and binary ops 26/28 from the bot go to the group;
 * the group's messages go out sequenced (binary `u16 seq | u8 op | payload`) and are replayed after a RESUME.
 */
import type { BotVoiceSession, VoiceWorld } from '../world.js';
import type { DaveLink } from './group.js';
import { proposalsAppend } from './mls.js';

export const DAVE_JSON_OPS_IN = new Set([23, 31]);

/** The link a DaveGroup uses to reach this bot session (inert once the session is replaced). */
export function botDaveLink(world: VoiceWorld, s: BotVoiceSession): DaveLink {
  const userId = world.ctx.state.botUser.id;
  const current = (): boolean => world.sessions.get(s.guildId) === s && s.daveLink === link;
  const link: DaveLink = {
    userId,
    json: (op, d) => current() && s.sendEvent(op, d),
    binary: (op, payload) => current() && s.sendBinary(op, payload),
  };
  return link;
}

/** After SESSION_DESCRIPTION (and op 11): the bot joins the group; op 25 goes out (after a fault's early op 27). */
export function botJoinsDave(world: VoiceWorld, s: BotVoiceSession): void {
  const group = world.daveGroup(s.channelId);
  if (world.earlyProposals.delete(s.guildId)) {
    const stray = group.sender.add(Buffer.alloc(8), 0, Buffer.from([0, 1, 0, 2]));
    s.sendBinary(27, proposalsAppend([stray]));
  }
  s.daveLink = botDaveLink(world, s);
  group.join(s.daveLink);
}

/** The bot's voice session ends or re-identifies: it leaves the group (Remove or sole-member reset for the others). */
export function botLeavesDave(world: VoiceWorld, s: BotVoiceSession): void {
  if (!s.daveLink) return;
  s.daveLink = null;
  world.daveGroups.get(s.channelId)?.leave(world.ctx.state.botUser.id);
}

export function onBotDaveBinary(world: VoiceWorld, s: BotVoiceSession, raw: Buffer): void {
  const op = raw[0];
  const group = world.daveGroups.get(s.channelId);
  const botId = world.ctx.state.botUser.id;
  world.events.push({ guildId: s.guildId, op: op ?? -1, d: { bytes: raw.length - 1 }, dir: 'in', at: Date.now(), binary: true });
  if (world.sessions.get(s.guildId) !== s) return;
  if (!s.daveLink || !group) return world.violation(`voice gateway: binary (DAVE) op ${op} while DAVE is not negotiated`);
  if (op === 26) return group.onKeyPackage(botId, raw.subarray(1));
  if (op === 28) return group.onCommitWelcome(botId, raw.subarray(1));
  world.violation(`voice gateway: binary op ${op} is not a client DAVE op (26, 28)`);
}

export function onBotDaveJson(world: VoiceWorld, s: BotVoiceSession, op: number, d: { transition_id?: unknown }): void {
  const group = world.daveGroups.get(s.channelId);
  if (world.sessions.get(s.guildId) !== s) return;
  if (!s.daveLink || !group) return world.violation(`voice gateway: DAVE op ${op} while DAVE is not negotiated`);
  const tid = typeof d.transition_id === 'number' ? d.transition_id : -1;
  if (tid < 0) return world.violation(`voice gateway: DAVE op ${op} without transition_id`);
  const botId = world.ctx.state.botUser.id;
  if (op === 23) group.onReady(botId, tid);
  else group.onInvalidCommitWelcome(botId, tid);
}
