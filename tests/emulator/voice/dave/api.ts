/** `emu.voice.dave`: what tests see of DAVE in the emulator (groups, simulated members) and the faults they inject. */
import davey from '@snazzah/davey';
import type { VoiceWorld } from '../world.js';
import type { DaveTransitionRecord } from './group.js';
import { idBytes, proposalsAppend } from './mls.js';

export interface DaveGroupInfo {
  channelId: string;
  /** Epoch of the established group (0: none). */
  epoch: number;
  /** User ids in the MLS group (bot included when it is a member). */
  members: string[];
  transitions: DaveTransitionRecord[];
  /** Sole-member resets (op 24/21) and op 31 re-additions, in order. */
  resets: { userId: string; at: number }[];
  /** No proposal, commit or transition pending. */
  idle: boolean;
}

export type MalformedKind = 'short-frame' | 'truncated-commit' | 'empty-proposals';

export class EmuDave {
  constructor(private readonly world: VoiceWorld) {}

  private channelOf(guildId: string): string {
    const s = this.world.sessions.get(guildId);
    if (!s) throw new Error(`emulator.voice.dave: the bot has no voice session in guild ${guildId}`);
    return s.channelId;
  }

  /** The DAVE group of the bot's voice channel in a guild. */
  group(guildId: string): DaveGroupInfo {
    const channelId = this.channelOf(guildId);
    const g = this.world.daveGroups.get(channelId);
    if (!g) return { channelId, epoch: 0, members: [], transitions: [], resets: [], idle: true };
    return { channelId, epoch: g.epoch, members: g.inGroup, transitions: [...g.transitions], resets: [...g.resets], idle: g.idle };
  }

  /** A simulated user's DAVE client: ready (group keys), epoch, the voice privacy code it displays. */
  member(guildId: string, userId: string): { ready: boolean; epoch: number | null; privacyCode: string; errors: string[] } | null {
    const sim = this.world.daveSims.get(`${guildId}:${userId}`);
    if (!sim) return null;
    const epoch = sim.session.epoch;
    return {
      ready: sim.ready,
      epoch: epoch === null ? null : Number(epoch),
      privacyCode: sim.session.voicePrivacyCode,
      errors: [...sim.errors],
    };
  }

  /** Frames a user sent and how many of them were DAVE-encrypted. */
  sent(guildId: string, userId: string): { frames: number; dave: number } {
    return { ...(this.world.sent.get(`${guildId}:${userId}`) ?? { frames: 0, dave: 0 }) };
  }

  /** DAVE frames from the bot that no simulated user could decrypt. */
  get undecryptable(): number {
    return this.world.undecryptable;
  }

  /** True once the group is idle with exactly these members (bot included) and every simulated member is ready. */
  settled(guildId: string, userIds: string[]): boolean {
    const g = this.group(guildId);
    const want = [...userIds].sort();
    if (!g.idle || g.members.length !== want.length || [...g.members].sort().some((u, i) => u !== want[i])) return false;
    return userIds.every((u) => {
      const m = this.member(guildId, u);
      return m === null ? true : m.ready && m.epoch === g.epoch;
    });
  }

  /** Fault: an Add proposal (valid, signed) for a user never announced with op 11, to the bot only. */
  proposeUnannouncedUser(guildId: string, userId = '999999999999999999'): void {
    const s = this.world.sessions.get(guildId);
    const g = s && this.world.daveGroups.get(s.channelId);
    if (!s || !g) throw new Error('emulator.voice.dave: no DAVE session for the bot');
    const stranger = new davey.DAVESession(1, userId, s.channelId);
    const add = g.sender.add(idBytes(s.channelId), g.epoch, stranger.getSerializedKeyPackage());
    s.sendBinary(27, proposalsAppend([add]));
  }

  /** Fault: on the bot's next voice session in this guild, op 27 arrives before op 25 (external sender). */
  proposalsBeforeExternalSenderOnNextSession(guildId: string): void {
    this.world.earlyProposals.add(guildId);
  }

  /** Fault: a malformed binary frame to the bot (too short to hold seq+op; op 29 cut short; op 27 with no body). */
  sendMalformed(guildId: string, kind: MalformedKind): void {
    const s = this.world.sessions.get(guildId);
    if (!s) throw new Error('emulator.voice.dave: no voice session for the bot');
    if (kind === 'short-frame') s.sendRawBinary(0, Buffer.alloc(0), Buffer.from([0x00]));
    else if (kind === 'truncated-commit') s.sendRawBinary(29, Buffer.from([0x01]));
    else s.sendRawBinary(27, Buffer.alloc(0));
  }

  /** Fault: the next Welcome the user (or the bot) gets in this voice channel is corrupted: op 31, then added again. */
  corruptNextWelcome(channelId: string, userId: string): void {
    this.world.daveGroup(channelId).corruptWelcomeFor.add(userId);
  }

  /** Fault: the first `frames` DAVE frames of the user's next utterance are corrupted on the wire (undecryptable). */
  corruptAudio(guildId: string, userId: string, frames: number): void {
    this.world.speaker(guildId, userId).corrupt += frames;
  }

  /** Fault: the voice gateway closes the bot's socket with 4006 (session no longer valid): it must identify anew. */
  invalidateSession(guildId: string): void {
    this.world.sessions.get(guildId)?.ws?.close(4006, 'Session no longer valid');
  }
}
