/**
 * Voice under DAVE (Discord's voice E2EE) end to end: the real app, discord.js and @discordjs/voice against the
 * emulator's DAVE server, users who are real MLS members (@snazzah/davey), real speech transcribed by pocketsphinx.
 * Membership changes while Eos listens (new epochs, Remove, a sole-member reset, Eos as the committer), a corrupted
 * Welcome (op 31 and back), a voice gateway resume, and `!voice`.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { speechToTextTranscriber } from '../llm-server/routes/audio.js';
import { createPocketsphinxSpeechToText } from '../../src/voice/stt/pocketsphinx.js';
import { asDiscordAudio, COMMANDS_JSGF, goforward, GOFORWARD_TEXT } from '../fixtures/audio.js';

let h: Harness;
let lounge: { id: string };

beforeAll(async () => {
  const grammar = path.join(tmpdir(), `eos-dave-${process.pid}.gram`);
  await writeFile(grammar, COMMANDS_JSGF);
  h = await startHarness({
    env: { EOS_TTS_PROVIDER: 'flite', EOS_STT_PROVIDER: 'openai' },
    behaviour: { voice: { silenceMs: 600 }, conversation: { streamEditIntervalMs: 250 } },
  });
  h.llm!.audio.transcribeWith(speechToTextTranscriber(createPocketsphinxSpeechToText({ jsgf: grammar })));
  h.llm!.respondWith(() => ({ text: 'Heard you.' }));
  lounge = h.emu.createChannel({ guildId: h.guild.id, name: 'Lounge', type: 2 });
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  expect(h.emu.voice.violations.join('\n')).toBe('');
  await h.close();
});

const enter = (userId: string) => h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId });
const exit = (userId: string) => h.emu.voice.userLeavesVoice({ guildId: h.guild.id, userId });
const command = async (content: string) => {
  const msg = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content });
  return (await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id, { timeoutMs: 15_000 })).content;
};

/** `who` says "go forward ten meters"; resolves once Eos posts the transcript (a new message). */
async function heard(who: { id: string }, name: string): Promise<void> {
  const before = new Set(h.emu.botMessages(h.general.id).map((m) => m.id));
  const sentBefore = h.emu.voice.dave.sent(h.guild.id, who.id).dave;
  await h.emu.voice.speak({ guildId: h.guild.id, userId: who.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
  expect(h.emu.voice.dave.sent(h.guild.id, who.id).dave - sentBefore).toBeGreaterThan(100);
  const text = `🎙️ **${name}**: ${GOFORWARD_TEXT}`;
  await h.emu.waitForBotMessage(h.general.id, (m) => !before.has(m.id) && m.content === text, { timeoutMs: 20_000 });
}

describe('voice under DAVE end to end', () => {
  test('users join and leave while Eos listens: every epoch change is followed, each speaker is transcribed', async () => {
    enter(h.alice.id); // VOICE_STATE_UPDATE precedes the !join MESSAGE_CREATE on the same gateway socket
    expect(await command('!join')).toMatch(/^Joined/);
    await h.emu.voice.waitForDave(h.guild.id);
    expect(h.emu.voice.dave.group(h.guild.id).transitions.at(-1)).toMatchObject({
      transitionId: 0,
      userId: h.emu.botUser.id,
      committer: h.alice.id,
    });
    await heard(h.alice, 'Ali');

    enter(h.bob.id);
    await h.emu.voice.waitForDave(h.guild.id);
    expect(h.emu.voice.dave.group(h.guild.id)).toMatchObject({ epoch: 2 });
    await heard(h.bob, 'Bob');

    exit(h.alice.id);
    await h.emu.voice.waitForDave(h.guild.id);
    expect(h.emu.voice.dave.group(h.guild.id).transitions.at(-1)).toMatchObject({ kind: 'remove', userId: h.alice.id, epoch: 3 });
    await heard(h.bob, 'Bob');
  }, 90_000);

  test('the last user leaves (sole-member reset), Ali comes back: Eos commits the new group and hears her', async () => {
    const resets = h.emu.voice.dave.group(h.guild.id).resets.length;
    exit(h.bob.id);
    await h.emu.waitFor(() => h.emu.voice.dave.group(h.guild.id).resets.length > resets || undefined, { label: 'sole-member reset' });
    await h.emu.voice.waitForDave(h.guild.id);
    enter(h.alice.id);
    await h.emu.voice.waitForDave(h.guild.id);
    expect(h.emu.voice.dave.group(h.guild.id).transitions.at(-1)).toMatchObject({
      transitionId: 0,
      userId: h.alice.id,
      committer: h.emu.botUser.id,
    });
    await heard(h.alice, 'Ali');
    expect(h.emu.voice.connection(h.guild.id)).not.toBeNull();
  }, 60_000);

  test('a corrupted Welcome for Eos: it answers op 31, is added again, and hears Ali', async () => {
    enter(h.bob.id);
    await h.emu.voice.waitForDave(h.guild.id);
    expect(await command('!leave')).toBe('Left the voice channel.');
    await h.emu.waitFor(() => h.emu.voice.connection(h.guild.id) === null || undefined, { label: 'left' });
    h.emu.voice.dave.corruptNextWelcome(lounge.id, h.emu.botUser.id);
    const op31 = () => h.emu.voice.events.filter((e) => e.dir === 'in' && e.op === 31).length;
    const before = op31();
    expect(await command('!join')).toMatch(/^Joined/);
    await h.emu.waitFor(() => op31() > before || undefined, { label: 'op 31 from Eos' });
    await h.emu.voice.waitForDave(h.guild.id);
    expect(h.emu.voice.dave.group(h.guild.id).members.sort()).toEqual([h.alice.id, h.bob.id, h.emu.botUser.id].sort());
    await heard(h.alice, 'Ali');
  }, 60_000);

  test('!voice shows state, DAVE version, epoch, the privacy code users see, members and recent recoveries', async () => {
    const reply = await command('!voice');
    const group = h.emu.voice.dave.group(h.guild.id);
    const code = h.emu.voice.dave.member(h.guild.id, h.alice.id)!.privacyCode;
    expect(reply).toContain(`<#${lounge.id}>`);
    expect(reply).toMatch(/: (listening|thinking|speaking), connection ready/);
    expect(reply).toContain(`protocol v1, epoch ${group.epoch}`);
    expect(reply).toContain(`Privacy code: \`${code.match(/.{5}/g)!.join(' ')}\``);
    expect(reply).toMatch(/Members: .*Ali/);
    expect(reply).toMatch(/Members: .*Bob/);
    expect(reply).toContain('DAVE re-initialised by the library');
    expect(reply.replace(/<#\d+>/g, '')).not.toMatch(/\d{17,}/); // channel mentions, but no user ids
  });

  test('the voice gateway drops (resume, replay of DAVE frames) while Bob joins: still heard', async () => {
    exit(h.bob.id);
    await h.emu.voice.waitForDave(h.guild.id);
    const resumes = h.emu.voice.resumes;
    h.emu.voice.dropVoice(h.guild.id);
    enter(h.bob.id);
    await h.emu.waitFor(() => h.emu.voice.resumes > resumes || undefined, { label: 'voice RESUME' });
    await h.emu.voice.waitForDave(h.guild.id);
    await heard(h.bob, 'Bob');
  }, 60_000);
});
