/**
 * `!forget me` beyond typed text (issue 9, item 4): records a user imported from attached files with `!train`
 * and what they said in voice messages (transcripts in the conversation log and in rated records) are removed,
 * and only theirs — another user's imports and voice messages, and records sharing a common line (the system
 * prompt), stay. Real discord.js + openai SDK against the Discord emulator and the fake OpenAI server
 * (/v1/audio/transcriptions scripted with queueTranscripts).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allStoredText, readText } from './stored-text.js';
import { startHarness, type Harness } from './harness.js';
import { encodeOggOpus } from '../../src/voice/audio/ffmpeg.js';
import { convertPcm } from '../../src/voice/audio/resample.js';
import { asDiscordAudio, goforward } from '../fixtures/audio.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    env: { EOS_STT_PROVIDER: 'openai' },
    behaviour: { perServerData: true, conversation: { streamEditIntervalMs: 250 }, privacy: { recordByDefault: true } },
  });
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
}, 60_000);

const read = readText;
const everything = () => allStoredText(h.dataDir);
async function run(userId: string, content: string, attachments?: { name: string; data: Buffer }[]) {
  const msg = h.emu.userSays({ channelId: h.general.id, userId, content, attachments });
  return (await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id, { timeoutMs: 30_000, label: content.slice(0, 30) }))
    .content;
}
/** A file of chat records sharing the system prompt and one common answer line with everybody else's. */
function file(tag: string): Buffer {
  const rec = (i: number) => ({
    messages: [
      { role: 'system', content: 'You are Eos.' },
      { role: 'user', content: `${tag}-QUESTION-${i}` },
      { role: 'assistant', content: i === 0 ? 'Sure.' : `${tag}-ANSWER-${i}` },
    ],
  });
  return Buffer.from([0, 1, 2].map((i) => JSON.stringify(rec(i))).join('\n') + '\n');
}
/** Waits for an async condition (the emulator's waitFor awaits it each poll). */
const until = (fn: () => Promise<boolean>, label: string, timeoutMs = 30_000) => h.emu.waitFor(fn, { timeoutMs, label, intervalMs: 50 });
let ogg: Buffer;
/** A voice message whose transcript the fake STT answers with `words`; Eos answers `answer`; the owner rates it 👍. */
async function voiceMessage(userId: string, words: string, answer: string) {
  ogg ??= await encodeOggOpus(convertPcm(goforward(), { sampleRate: 48_000, channels: 1 }));
  h.llm!.audio.queueTranscripts(words);
  h.llm!.queue({ text: answer });
  const msg = h.emu.userSays({
    channelId: h.general.id,
    userId,
    content: '',
    flags: 8192,
    attachments: [{ name: 'voice-message.ogg', data: ogg, contentType: 'audio/ogg' }],
  });
  const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id && m.content === answer, { timeoutMs: 30_000 });
  await h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { timeoutMs: 30_000, label: 'captured' });
  const up = h.emu.clickButton({
    customId: 'eos:fb:up',
    userId: h.owner.id,
    channelId: h.general.id,
    guildId: h.guild.id,
    messageId: r.id,
  });
  const answered = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === up.id), { timeoutMs: 30_000 });
  expect(ratingText(answered), answer).toMatch(SAVED);
}
const SAVED = /^Thanks! Saved as a positive example/;
const ratingText = (r: { data: unknown }) => (r.data as { content?: string } | undefined)?.content;

describe('!forget me covers imported files and voice messages', () => {
  test("removes the user's imported records and voice transcripts/records, and nobody else's", async () => {
    // alice is a plain member: her import waits in the server's review queue (guilds/<id>/pending); the owner's applies at once
    expect(await run(h.alice.id, '!train positive', [{ name: 'alice.jsonl', data: file('ALICEIMP') }])).toMatch(/Added 3/);
    expect(await run(h.bob.id, '!train positive', [{ name: 'bob.jsonl', data: file('BOBIMP') }])).toMatch(/Added 3/);
    expect(await run(h.owner.id, '!train positive', [{ name: 'owner.jsonl', data: file('OWNERIMP') }])).toMatch(/Added 3/);
    await voiceMessage(h.alice.id, 'ALICEVOICE words about the weather', 'Alice voice answer.');
    await voiceMessage(h.bob.id, 'BOBVOICE words about the sea', 'Bob voice answer.');
    await until(async () => ((await everything()).match(/VOICE words/g)?.length ?? 0) >= 4, 'voice stored');
    const before = await everything();
    for (const s of [
      'ALICEIMP-QUESTION-0',
      'ALICEIMP-ANSWER-2',
      'ALICEVOICE words',
      'BOBIMP-ANSWER-1',
      'BOBVOICE words',
      'OWNERIMP-ANSWER-1',
    ])
      expect(before).toContain(s);
    // the voice transcripts reach both the conversation log and the rated records
    const dataset = await read(path.join(h.dataDir, 'guilds', h.guild.id, 'datasets', 'default', 'positive.jsonl'));
    expect(dataset).toContain('ALICEVOICE words');
    expect(await read(path.join(h.dataDir, 'conversations', `${h.guild.id}_${h.general.id}.jsonl`))).toContain('ALICEVOICE words');

    expect(await run(h.alice.id, '!forget me')).toMatch(/^Done: removed \d+ stored line\(s\)/);
    const after = await everything();
    expect(after).not.toContain('ALICEIMP');
    expect(after).not.toContain('ALICEVOICE');
    // the rated record holding her transcript went whole (Eos's own reply line stays in the conversation log: not hers)
    expect(await read(path.join(h.dataDir, 'guilds', h.guild.id, 'datasets', 'default', 'positive.jsonl'))).not.toContain(
      'Alice voice answer.',
    );
    for (const s of [
      'BOBIMP-QUESTION-0',
      'BOBIMP-ANSWER-2',
      'BOBVOICE words',
      'Bob voice answer.',
      'OWNERIMP-QUESTION-0',
      'OWNERIMP-ANSWER-2',
    ])
      expect(after).toContain(s);
    // records sharing only the system prompt or the common 'Sure.' answer with hers stay
    expect(after.match(/"Sure\."/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    // The server's own index (guilds/<id>/privacy/, written by the process owning the server).
    const index = await read(path.join(h.dataDir, 'guilds', h.guild.id, 'privacy', 'contributions.jsonl'));
    expect(index.length).toBeGreaterThan(0);
    expect(index).not.toMatch(/IMP|VOICE|weather/);
  }, 180_000);

  test("voice-channel turns: the speaker's transcripts and the rated records holding them go, the other speaker's stay", async () => {
    const lounge = h.emu.createChannel({ guildId: h.guild.id, name: 'Lounge', type: 2 });
    h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.alice.id });
    h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.bob.id });
    expect(await run(h.alice.id, '!join')).toMatch(/^Joined/);
    await h.emu.voice.waitForConnection(h.guild.id);
    await h.emu.voice.waitForDave(h.guild.id);
    const turn = async (userId: string, words: string, answer: string) => {
      h.llm!.audio.queueTranscripts(words);
      h.llm!.queue({ text: answer });
      await h.emu.voice.speak({ guildId: h.guild.id, userId, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
      const posted = await h.emu.waitForBotMessage(h.general.id, (m) => m.content.startsWith(`🔊 ${answer}`), { timeoutMs: 30_000 });
      await h.emu.waitFor(() => (posted.components.length > 0 ? true : undefined), { timeoutMs: 30_000, label: 'voice reply captured' });
      const up = h.emu.clickButton({
        customId: 'eos:fb:up',
        userId: h.owner.id,
        channelId: h.general.id,
        guildId: h.guild.id,
        messageId: posted.id,
      });
      const answered = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === up.id), { timeoutMs: 30_000 });
      // The buttons come with the reply's one send: a click may reach Eos before the send is answered (it waits).
      expect(ratingText(answered), answer).toMatch(SAVED);
      // A voice reply is the server's candidate: in its own journal, not the DM one.
      expect(await read(path.join(h.dataDir, 'guilds', h.guild.id, 'candidates.jsonl'))).toContain(`"messageId":"${posted.id}"`);
      expect(await read(path.join(h.dataDir, 'state', 'candidates.jsonl'))).not.toContain(posted.id);
    };
    await turn(h.alice.id, 'ALICECHAN spoken in the lounge', 'Lounge answer one.');
    await turn(h.bob.id, 'BOBCHAN spoken in the lounge', 'Lounge answer two.');
    const dataset = path.join(h.dataDir, 'guilds', h.guild.id, 'datasets', 'default', 'positive.jsonl');
    await until(async () => (await read(dataset)).includes('BOBCHAN'), 'both voice replies rated', 60_000).catch(async (err: Error) => {
      // Say where the records went (which dataset files hold Bob's turn) and what the guild's file holds.
      const files = (await readdir(h.dataDir, { recursive: true })).filter((f) => f.endsWith('.jsonl'));
      const holders = [];
      for (const f of files) if ((await read(path.join(h.dataDir, f))).includes('BOBCHAN')) holders.push(f);
      throw new Error(
        `${err.message}; files holding BOBCHAN: ${holders.join(', ')}; guild positive.jsonl ends: ${(await read(dataset)).slice(-800)}`,
      );
    });
    expect(await read(dataset)).toContain('ALICECHAN');
    expect(await read(path.join(h.dataDir, 'conversations', `${h.guild.id}_${h.general.id}.jsonl`))).toContain('ALICECHAN');

    expect(await run(h.alice.id, '!forget me')).toMatch(/^Done: removed \d+ stored line\(s\)/);
    const after = await everything();
    expect(after).not.toContain('ALICECHAN');
    expect(after).toContain('BOBCHAN spoken in the lounge');
    expect(await read(dataset)).not.toContain('Lounge answer one.');
    // Bob's turn stays in the conversation log; his rated record went too, because it carried Alice's turn as context
    // (a record holding anything she said is removed whole).
    const log = await read(path.join(h.dataDir, 'conversations', `${h.guild.id}_${h.general.id}.jsonl`));
    expect(log).toContain('BOBCHAN spoken in the lounge');
    expect(log).toContain('Lounge answer two.');
    expect(await run(h.alice.id, '!leave')).toBeTruthy();
  }, 180_000);

  test('!privacy says what forget covers and what it cannot reach; the debug-level logs of all the above hold no message text', async () => {
    const text = await run(h.bob.id, '!privacy');
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text).toContain('examples you imported from files with `!train`');
    expect(text).toContain('voice channels and voice messages');
    expect(text).toMatch(/It cannot reach:.*fine-tuned/);
    expect(text).toMatch(/Application logs.*not message text/);
    const logs = h.logs.join('');
    expect(logs).toContain('"command"'); // the logs are there (debug level) ...
    for (const s of [
      'ALICEIMP',
      'BOBIMP',
      'OWNERIMP',
      'ALICEVOICE',
      'BOBVOICE',
      'ALICECHAN',
      'BOBCHAN',
      'weather',
      'voice answer',
      'lounge',
    ])
      expect(logs).not.toContain(s); // ... without text
  }, 60_000);
});
