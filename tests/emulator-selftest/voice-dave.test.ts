/**
 * DAVE in the emulator against the real @discordjs/voice 0.19.2 + @snazzah/davey: the bot and simulated users form
 * MLS groups through the emulator's server role; audio is end-to-end encrypted both ways.
 */
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import davey from '@snazzah/davey';
import {
  AudioPlayerStatus,
  createAudioPlayer,
  createAudioResource,
  EndBehaviorType,
  entersState,
  StreamType,
  type VoiceConnection,
} from '@discordjs/voice';
import { GatewayIntentBits } from 'discord.js';
import { decodeOpusFrames, pcmVoicedMs, startDiscordEmulator, tonePcm } from '../emulator/index.js';
import { loginClient } from '../emulator/discordjs.js';
import { joinVoice } from '../emulator/voice/discordjs-voice.js';
import { DaveGroup, type DaveLink } from '../emulator/voice/dave/group.js';
import { idBytes } from '../emulator/voice/dave/mls.js';
import { libraryDave } from '../../src/voice/discord/dave-guard.js';
import { startVoiceWorld, type VoiceWorld } from './voice-setup.js';

let w: VoiceWorld<'alice' | 'bob'>;
beforeEach(async () => {
  w = await startVoiceWorld(['alice', 'bob']);
});
afterEach(() => w.close());

const joins = (userId: string) => w.emu.voice.userJoinsVoice({ guildId: w.guild.id, channelId: w.voice.id, userId });
const leaves = (userId: string) => w.emu.voice.userLeavesVoice({ guildId: w.guild.id, userId });
const outOps = (op: number) => w.emu.voice.events.filter((e) => e.dir === 'out' && e.op === op);
const inOps = (op: number) => w.emu.voice.events.filter((e) => e.dir === 'in' && e.op === op);

/** The user speaks a tone; resolves with the milliseconds of voiced audio the bot received from them. */
async function botHears(conn: VoiceConnection, userId: string, ms = 400): Promise<number> {
  const stream = conn.receiver.subscribe(userId, { end: { behavior: EndBehaviorType.AfterSilence, duration: 200 } });
  const packets: Buffer[] = [];
  stream.on('data', (p: Buffer) => packets.push(p));
  const ended = new Promise((resolve) => stream.once('close', resolve));
  await w.emu.voice.speak({ guildId: w.guild.id, userId, pcm: tonePcm({ hz: 440, ms }), pace: 'fast' });
  await ended;
  return pcmVoicedMs(decodeOpusFrames(packets));
}

/** The bot plays a tone; resolves with the frames the emulator got. */
async function botPlays(conn: VoiceConnection, ms = 400) {
  w.emu.voice.clearReceived(w.guild.id);
  const player = createAudioPlayer();
  conn.subscribe(player);
  player.play(createAudioResource(Readable.from([Buffer.from(tonePcm({ hz: 440, ms }).buffer)]), { inputType: StreamType.Raw }));
  await entersState(player, AudioPlayerStatus.Idle, 5000);
  player.stop();
  return w.emu.voice.received(w.guild.id).frames.filter((f) => !f.opus.equals(Buffer.from([0xf8, 0xff, 0xfe])));
}

describe('DAVE end to end in the emulator', () => {
  test('the bot alone, then a user joins: the bot commits (transition 0), audio is E2EE both ways, privacy codes agree', async () => {
    const conn = await w.join();
    const described = outOps(4).at(-1)?.d as { dave_protocol_version: number };
    expect(described.dave_protocol_version).toBe(1);
    expect(inOps(0).at(-1)?.d).toMatchObject({ max_dave_protocol_version: 1 });
    joins(w.alice.id);
    await w.emu.voice.waitForDave(w.guild.id);
    const g = w.emu.voice.dave.group(w.guild.id);
    expect(g.transitions).toEqual([
      expect.objectContaining({ transitionId: 0, kind: 'add', userId: w.alice.id, committer: w.emu.botUser.id, epoch: 1 }),
    ]);
    expect(g.members.sort()).toEqual([w.alice.id, w.emu.botUser.id].sort());
    const code = await w.emu.waitFor(() => libraryDave(conn)?.voicePrivacyCode, { label: "the bot's privacy code" });
    expect(code).toMatch(/^\d{30}$/);
    expect(code).toBe(w.emu.voice.dave.member(w.guild.id, w.alice.id)?.privacyCode);

    expect(await botHears(conn, w.alice.id)).toBeGreaterThanOrEqual(360);
    const sent = w.emu.voice.dave.sent(w.guild.id, w.alice.id);
    expect(sent.dave).toBe(sent.frames - 5); // all but the 5 trailing silence frames
    const frames = await botPlays(conn);
    expect(frames.length).toBeGreaterThanOrEqual(19);
    expect(frames.every((f) => f.dave && f.decryptedBy.includes(w.alice.id))).toBe(true);
    expect(w.emu.voice.dave.undecryptable).toBe(0);
  });

  test('users join and leave while the bot listens: new epochs (op 29/30, op 23 from all, op 22), Remove, sole-member reset', async () => {
    joins(w.alice.id);
    const conn = await w.join();
    joins(w.bob.id);
    await w.emu.voice.waitForDave(w.guild.id);
    let g = w.emu.voice.dave.group(w.guild.id);
    expect(g.epoch).toBe(2);
    expect(g.transitions.map((t) => [t.kind, t.transitionId > 0])).toEqual([
      ['add', false],
      ['add', true],
    ]);
    expect(inOps(23).length).toBeGreaterThanOrEqual(1);
    expect(outOps(22).map((e) => e.d)).toContainEqual({ transition_id: g.transitions[1]!.transitionId });
    expect(await botHears(conn, w.bob.id)).toBeGreaterThanOrEqual(360);

    leaves(w.alice.id);
    await w.emu.voice.waitForDave(w.guild.id);
    g = w.emu.voice.dave.group(w.guild.id);
    expect(g.transitions.at(-1)).toMatchObject({ kind: 'remove', userId: w.alice.id, epoch: 3 });
    expect(await botHears(conn, w.bob.id)).toBeGreaterThanOrEqual(360);

    leaves(w.bob.id);
    await w.emu.waitFor(() => outOps(21).length > 0 || undefined, { label: 'sole-member reset (op 24 + op 21)' });
    expect(outOps(24).at(-1)?.d).toEqual({ protocol_version: 1, epoch: 1 });
    expect(outOps(21).at(-1)?.d).toEqual({ transition_id: 0, protocol_version: 1 });
    await w.emu.voice.waitForDave(w.guild.id);
    expect(w.emu.voice.dave.group(w.guild.id).members).toEqual([]);
    const plain = await botPlays(conn, 200);
    expect(plain.every((f) => !f.dave)).toBe(true); // alone: no group, plain Opus inside transport encryption

    joins(w.alice.id);
    await w.emu.voice.waitForDave(w.guild.id);
    expect(await botHears(conn, w.alice.id)).toBeGreaterThanOrEqual(360);
    expect((await botPlays(conn, 200)).every((f) => f.dave && f.decryptedBy.includes(w.alice.id))).toBe(true);
  });

  test('a corrupted Welcome: the bot answers op 31, is removed and added again, audio flows', async () => {
    joins(w.alice.id);
    joins(w.bob.id);
    w.emu.voice.dave.corruptNextWelcome(w.voice.id, w.emu.botUser.id);
    const conn = await w.join();
    await w.emu.waitFor(() => inOps(31).length > 0 || undefined, { label: 'op 31 from the bot' });
    await w.emu.voice.waitForDave(w.guild.id);
    const g = w.emu.voice.dave.group(w.guild.id);
    expect(g.resets.some((r) => r.userId === w.emu.botUser.id)).toBe(true);
    expect(g.members).toContain(w.emu.botUser.id);
    expect(await botHears(conn, w.alice.id)).toBeGreaterThanOrEqual(360);
    expect((await botPlays(conn, 200)).every((f) => f.dave && f.decryptedBy.length === 2)).toBe(true);
  });

  test('binary DAVE frames are sequenced and replayed on RESUME', async () => {
    const conn = await w.join();
    w.emu.voice.dropVoice(w.guild.id);
    joins(w.alice.id);
    await w.emu.waitFor(() => w.emu.voice.resumes === 1 || undefined, { label: 'voice RESUME' });
    await w.emu.voice.waitForDave(w.guild.id);
    // The Add proposal was made while the bot was disconnected: it went out only as the replay after RESUMED.
    const resumedAt = w.emu.voice.events.findIndex((e) => e.dir === 'out' && e.op === 9);
    const proposalAt = w.emu.voice.events.findIndex((e) => e.dir === 'out' && e.op === 27);
    expect(resumedAt).toBeGreaterThan(0);
    expect(proposalAt).toBeGreaterThan(resumedAt);
    expect(outOps(27).every((e) => e.binary && typeof e.seq === 'number')).toBe(true);
    expect(await botHears(conn, w.alice.id)).toBeGreaterThanOrEqual(360);
  });
});

describe('DAVE options and violations', () => {
  test('DAVE off: dave_protocol_version 0, no binary frames, plain audio; a bot offering no DAVE is refused with 4017 when on', async () => {
    const emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000, contractCheck: false, voice: { dave: false } });
    try {
      const guild = emu.createGuild({ name: 'No DAVE' });
      const vc = emu.createChannel({ guildId: guild.id, name: 'vc', type: 2 });
      const client = await loginClient(emu, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates] }, 5000);
      const conn = await joinVoice(client, { guildId: guild.id, channelId: vc.id });
      expect(
        (emu.voice.events.find((e) => e.dir === 'out' && e.op === 4)?.d as { dave_protocol_version: number }).dave_protocol_version,
      ).toBe(0);
      expect(emu.voice.events.some((e) => e.binary)).toBe(false);
      conn.destroy();
      await client.destroy();
    } finally {
      await emu.close();
    }
    const { joinVoiceChannel, VoiceConnectionStatus } = await import('@discordjs/voice');
    const guild = w.client.guilds.cache.get(w.guild.id)!;
    const conn = joinVoiceChannel({
      guildId: w.guild.id,
      channelId: w.voice.id,
      adapterCreator: guild.voiceAdapterCreator,
      selfDeaf: false,
      daveEncryption: false,
    });
    await w.emu.waitFor(() => w.emu.voice.violations.length > 0 || undefined, { label: '4017 for a bot without DAVE' });
    expect(w.emu.voice.violations.splice(0)).toEqual(['voice IDENTIFY without max_dave_protocol_version >= 1 while DAVE is required']);
    conn.destroy();
    expect(conn.state.status).toBe(VoiceConnectionStatus.Destroyed);
  });

  test('audio that is not DAVE-encrypted while the group exists is flagged', async () => {
    joins(w.alice.id);
    const conn = await w.join();
    await w.emu.voice.waitForDave(w.guild.id);
    expect((await botPlays(conn, 100)).every((f) => f.dave)).toBe(true); // it has the keys: plain audio is now a violation
    // A misbehaving client: the bot's DAVE session claims protocol 0, so @discordjs/voice sends plain Opus.
    libraryDave(conn)!.protocolVersion = 0;
    await botPlays(conn, 100);
    const flagged = w.emu.voice.violations.splice(0);
    expect(flagged.length).toBeGreaterThan(0);
    expect(flagged.every((v) => v.startsWith('voice UDP: the bot sent audio without DAVE while its group'))).toBe(true);
  });

  test('the server role flags bad key packages and commits for the wrong epoch', async () => {
    const violations: string[] = [];
    const group = new DaveGroup('123456789012345678', (m) => violations.push(m), 1000);
    const links = new Map<string, { json: unknown[]; bin: [number, Buffer][] }>();
    const link = (userId: string): DaveLink => {
      const box = { json: [] as unknown[], bin: [] as [number, Buffer][] };
      links.set(userId, box);
      return { userId, json: (op, d) => box.json.push({ op, d }), binary: (op, p) => box.bin.push([op, p]) };
    };
    const a = new davey.DAVESession(1, '111111111111111111', '123456789012345678');
    const b = new davey.DAVESession(1, '222222222222222222', '123456789012345678');
    group.join(link('111111111111111111'));
    group.join(link('222222222222222222'));
    group.onKeyPackage('111111111111111111', b.getSerializedKeyPackage());
    expect(violations.pop()).toMatch(/bad key package from 111111111111111111: credential identity/);
    group.onKeyPackage('111111111111111111', Buffer.from([0, 1, 0, 2, 1]));
    expect(violations.pop()).toMatch(/bad key package/);
    a.setExternalSender(links.get('111111111111111111')!.bin[0]![1]);
    group.onKeyPackage('111111111111111111', a.getSerializedKeyPackage());
    group.onKeyPackage('222222222222222222', b.getSerializedKeyPackage());
    const [op, proposals] = links.get('111111111111111111')!.bin.at(-1)!;
    expect(op).toBe(27);
    const { commit, welcome } = a.processProposals(0, proposals.subarray(1), ['222222222222222222']);
    const wrongEpoch = Buffer.from(commit!);
    wrongEpoch.writeBigUInt64BE(5n, 4 + 1 + idBytes('123456789012345678').length);
    group.onCommitWelcome('111111111111111111', Buffer.concat([wrongEpoch, welcome!]));
    expect(violations.pop()).toBe('DAVE op 28 from 111111111111111111: commit for epoch 5, group is at 0');
    group.onCommitWelcome('111111111111111111', Buffer.concat([commit!, welcome!]));
    expect(violations).toEqual([]);
    expect(group.inGroup).toEqual(['111111111111111111', '222222222222222222']);
    group.close();
  });
});

describe('DAVE recovery primitives on the real library', () => {
  test('after a transition with id 0, undecryptable audio makes the library throw; recoverFromInvalidTransition(0) brings decryption back', async () => {
    joins(w.alice.id);
    const conn = await w.join();
    await w.emu.voice.waitForDave(w.guild.id);
    expect(libraryDave(conn)?.lastTransitionId).toBe(0);
    w.emu.voice.dave.corruptAudio(w.guild.id, w.alice.id, 40); // 40 > the library's tolerance of 36, < the 50 frames spoken
    const stream = conn.receiver.subscribe(w.alice.id, { end: { behavior: EndBehaviorType.AfterSilence, duration: 200 } });
    const died = new Promise<Error>((resolve) => stream.once('error', resolve));
    await w.emu.voice.speak({ guildId: w.guild.id, userId: w.alice.id, pcm: tonePcm({ hz: 440, ms: 1000 }), pace: 'fast' });
    expect(String(await died)).toMatch(/DecryptionFailed/);
    const dave = libraryDave(conn)!;
    dave.recoverFromInvalidTransition(0);
    await w.emu.waitFor(() => inOps(31).length > 0 || undefined, { label: 'op 31' });
    await w.emu.voice.waitForDave(w.guild.id);
    await w.emu.waitFor(() => dave.session?.ready || undefined, { label: 'bot DAVE ready again' });
    await w.emu.waitFor(() => !conn.receiver.subscriptions.has(w.alice.id) || undefined, { label: 'old stream gone' });
    expect(await botHears(conn, w.alice.id)).toBeGreaterThanOrEqual(360);
  });
});
