/**
 * Voice turns pass the same admission gate as text (issue 9, items 3 and 8): in a voice channel, a
 * blocked user's utterance is not posted, logged or answered, and never reaches the LLM, while the
 * next speaker is answered as usual. Real speech over RTP, real engines (as tests/e2e/voice.test.ts).
 */
import { readFile, writeFile } from 'node:fs/promises';
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
  const grammar = path.join(tmpdir(), `eos-access-voice-${process.pid}.gram`);
  await writeFile(grammar, COMMANDS_JSGF);
  h = await startHarness({
    env: { EOS_TTS_PROVIDER: 'flite', EOS_STT_PROVIDER: 'openai' },
    behaviour: (w) => ({ block: { users: [w.bob.id], roles: [] }, voice: { silenceMs: 600 }, conversation: { streamEditIntervalMs: 250 } }),
  });
  h.llm!.audio.transcribeWith(speechToTextTranscriber(createPocketsphinxSpeechToText({ jsgf: grammar })));
  lounge = h.emu.createChannel({ guildId: h.guild.id, name: 'Lounge', type: 2 });
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

describe('voice channel turns pass the gate', () => {
  test('a blocked speaker is neither posted, logged nor answered; the next speaker is', async () => {
    h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.alice.id });
    h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.bob.id });
    const join = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: '!join' });
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === join.id && m.content.startsWith('Joined'));
    await h.emu.voice.waitForConnection(h.guild.id);
    const chatsBefore = h.llm!.chatRequests().length;
    const sttBefore = h.llm!.audio.transcriptions.length;

    h.llm!.queue({ text: 'Moving forward for Ali.' });
    await h.emu.voice.speak({ guildId: h.guild.id, userId: h.bob.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
    // Bob's utterance was heard (transcribed) before Alice speaks: the gate, not deafness, keeps it out.
    await h.emu.waitFor(() => h.llm!.audio.transcriptions.length > sttBefore || undefined, {
      timeoutMs: 20_000,
      label: "bob's utterance transcribed",
    });
    await h.emu.voice.speak({ guildId: h.guild.id, userId: h.alice.id, pcm: asDiscordAudio(goforward()), pace: 'realtime' });
    await h.emu.waitForBotMessage(h.general.id, (m) => m.content === `🎙️ **Ali**: ${GOFORWARD_TEXT}`, { timeoutMs: 20_000 });
    await h.emu.waitForBotMessage(h.general.id, (m) => m.content.startsWith('🔊 Moving forward for Ali.'), { timeoutMs: 20_000 });

    const posted = h.emu.botMessages(h.general.id).map((m) => m.content);
    expect(posted.some((c) => c.includes('**Bob**'))).toBe(false);
    expect(h.llm!.chatRequests().length).toBe(chatsBefore + 1);
    const prompt = JSON.stringify(h.llm!.chatRequests().at(-1));
    expect(prompt).not.toContain('Bob:');
    // The conversation log is written in group commits after the turn: wait for Ali's line, then check Bob has none.
    const file = path.join(h.dataDir, 'conversations', `${h.guild.id}_${h.general.id}.jsonl`);
    const log = await h.emu.waitFor(
      async () => {
        const text = await readFile(file, 'utf8').catch(() => '');
        return text.includes(GOFORWARD_TEXT) ? text : undefined;
      },
      { label: "Ali's voice turn in the conversation log" },
    );
    expect(log.split('\n').filter((l) => l.includes(GOFORWARD_TEXT))).toHaveLength(1);
    expect(log).not.toContain('"name":"Bob"');
    const leave = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: '!leave' });
    await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === leave.id);
  }, 60_000);
});
