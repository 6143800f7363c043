/**
 * Secrets and privacy after a full end-to-end run (conversation, DMs, mentions of other users, 👍
 * button, 👎 reaction, !correct, !feedback, !train, !test, !select_dataset, !archive, !getfile and a
 * voice message): no file under the data folder (zip archives opened and searched entry by entry)
 * and no log line holds the Discord token, the API key or any emulator user's ID.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mention, startHarness, type Harness } from '../e2e/harness.js';
import type { EmuUser } from '../emulator/index.js';
import { readZip } from '../unit/archive/read-zip.js';
import { encodeOggOpus } from '../../src/voice/audio/ffmpeg.js';
import { tone } from '../fixtures/audio.js';
import { trackRejections } from './gen.js';

let h: Harness;
const rejections = trackRejections();
let carol: EmuUser;
beforeAll(async () => {
  h = await startHarness({
    env: { EOS_TTS_PROVIDER: 'flite', EOS_STT_PROVIDER: 'openai' },
    behaviour: { voice: { voiceMessageReplies: true }, conversation: { streamEditIntervalMs: 250, reactionProbability: 0.5 } },
    random: () => 0.1, // every draw is won: Carol's plain message below gets its reaction
  });
  carol = h.emu.createUser({ username: 'carol', globalName: 'Carol' });
  h.emu.addMember(h.guild.id, carol.id, { nick: 'Caz', roles: [h.adminRole.id] });
  h.llm!.audio.transcribeWith(() => 'what is the weather like');
}, 30_000);
afterAll(async () => {
  rejections.stop();
  expect(rejections.list.map(String)).toEqual([]);
  await h.close();
});

const say = (userId: string, content: string, extra: { replyTo?: string; channelId?: string } = {}) =>
  h.emu.userSays({ channelId: extra.channelId ?? h.general.id, userId, content, replyTo: extra.replyTo });
const replyTo = (id: string, pred: (c: string) => boolean = () => true, channelId = h.general.id) =>
  h.emu.waitForBotMessage(channelId, (m) => m.replyTo === id && pred(m.content), { timeoutMs: 15_000 });
async function ask(userId: string, question: string, answer: string) {
  h.llm!.queue({ text: answer });
  const msg = say(userId, mention(h.emu.botUser.id, question));
  const shown = answer.replace(/<@!?\d+>/g, '@user'); // model output never pings
  const r = await replyTo(msg.id, (c) => c === shown);
  return h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { label: 'feedback buttons' });
}

async function exercise(): Promise<void> {
  const a1 = await ask(h.alice.id, `my friend <@${h.bob.id}> and <@${carol.id}> from <@&${h.adminRole.id}> ask: what is 2+2?`, 'Four.');
  const click = h.emu.clickButton({
    customId: 'eos:fb:up',
    userId: h.bob.id,
    channelId: h.general.id,
    guildId: h.guild.id,
    messageId: a1.id,
  });
  await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === click.id));
  const a2 = await ask(h.bob.id, 'Is the sun cold?', `Yes <@${h.alice.id}>, very cold.`);
  h.emu.addReaction({ channelId: h.general.id, messageId: a2.id, userId: carol.id, emoji: '👎' });
  const a3 = await ask(carol.id, 'How many legs does a spider have?', 'Six.');
  await replyTo(say(carol.id, `!correct Eight, <@${h.alice.id}>.`, { replyTo: a3.id }).id, (c) => /^Correction saved/.test(c));
  await replyTo(say(h.bob.id, '!feedback nice one', { replyTo: a1.id }).id);
  await replyTo(say(h.alice.id, `!train User: who is <@${h.bob.id}>?\nAssistant: A friend of <@${carol.id}>.`).id);
  const jsonl = JSON.stringify({
    messages: [
      { role: 'user', content: `hi <@${h.owner.id}>` },
      { role: 'assistant', content: 'hello' },
    ],
  });
  await replyTo(
    h.emu.userSays({
      channelId: h.general.id,
      userId: h.alice.id,
      content: '!train',
      attachments: [{ name: 'x.jsonl', data: Buffer.from(jsonl) }],
    }).id,
  );
  h.llm!.respondWith(() => ({ text: 'The answer is 4.' }));
  await replyTo(say(h.bob.id, '!test [{"input": "2+2?", "assert": [{"type": "contains", "value": "4"}]}]').id, (c) => c.includes('passed'));
  await replyTo(say(h.bob.id, `!ping <@${h.alice.id}>`).id);
  const dm = h.emu.createDM(h.bob.id);
  await replyTo(say(h.bob.id, 'a private question', { channelId: dm.id }).id, () => true, dm.id);
  const ogg = await encodeOggOpus(tone(48_000, 1, 440, 1.5));
  const voice = h.emu.userSays({
    channelId: h.general.id,
    userId: h.alice.id,
    content: '',
    flags: 8192,
    attachments: [{ name: 'voice-message.ogg', data: ogg, contentType: 'audio/ogg' }],
  });
  await replyTo(voice.id, (c) => c === 'The answer is 4.');
  await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === voice.id && (m.flags & 8192) !== 0, { timeoutMs: 15_000 });
  await replyTo(say(h.owner.id, '!select_dataset second').id);
  await replyTo(say(h.owner.id, '!train User: q\nAssistant: a').id);
  // Files of admin commands used in a server channel go to the admin by DM (issue 9).
  await replyTo(say(h.owner.id, '!archive all').id, (c) => c.startsWith('Archived') || c === '📬 Sent to you by DM.');
  await replyTo(say(h.owner.id, '!getfile datasets/default/positive.jsonl').id);
  h.llm!.queue({ text: '🎉' });
  const shipped = say(carol.id, 'we shipped it today');
  await h.emu.waitFor(() => h.emu.reactions.find((r) => r.messageId === shipped.id && r.emoji === '🎉'), { label: 'reaction' });
}

async function filesUnder(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((d) => d.isFile());
  return names.map((d) => path.join(d.parentPath, d.name));
}

describe('after a full run', () => {
  let needles: [string, string][];
  beforeAll(async () => {
    await exercise();
    needles = [
      ['the Discord token', h.emu.token],
      ['the API key', h.llm!.apiKey],
      ...[h.owner, h.alice, h.bob, carol].map((u): [string, string] => [`the user ID of ${u.username}`, u.id]),
      ['the bot user ID', h.emu.botUser.id],
    ];
    await h.stopBot(); // flushes datasets, state and the log files
  }, 90_000);

  test('every data folder was written (the search is not vacuous)', async () => {
    const files = (await filesUnder(h.dataDir)).map((f) => path.relative(h.dataDir, f));
    for (const dir of ['logs', 'datasets', 'archives', 'conversations', 'state', 'evaluations']) {
      expect(
        files.some((f) => f.startsWith(`${dir}${path.sep}`)),
        dir,
      ).toBe(true);
    }
    expect(files.filter((f) => f.endsWith('.zip')).length).toBeGreaterThanOrEqual(2);
  });

  test('no file (nor any entry of a zip archive) holds a secret or a user ID', async () => {
    const found: string[] = [];
    // Controls: text the run certainly stored, so a search that reads nothing cannot pass.
    const controls = new Map([
      ['Four.', ''],
      ['Eight', ''],
      ['what is the weather like', ''],
      ['nice one', ''],
      ['A friend of @user', ''],
      ['we shipped it today', ''],
    ]);
    const search = (where: string, text: string) => {
      for (const [what, value] of needles) if (text.includes(value)) found.push(`${where}: ${what}`);
      for (const c of controls.keys()) if (text.includes(c)) controls.set(c, `${controls.get(c)} ${where}`);
    };
    let searched = 0;
    for (const file of await filesUnder(h.dataDir)) {
      const rel = path.relative(h.dataDir, file);
      search(`${rel} (name)`, rel);
      const data = await readFile(file);
      search(rel, data.toString('latin1'));
      searched++;
      if (!file.endsWith('.zip')) continue;
      for (const [entry, content] of await readZip(file)) {
        search(`${rel}!${entry} (name)`, entry);
        if (content) search(`${rel}!${entry}`, content.toString('utf8'));
        searched++;
      }
    }
    expect(searched).toBeGreaterThan(10);
    for (const [c, where] of controls) expect(where, `control text ${JSON.stringify(c)} found nowhere`).not.toBe('');
    expect(controls.get('Eight'), 'a correction inside an archive').toMatch(/\.zip!/);
    expect(found).toEqual([]);
  });

  test('no captured log line holds a secret or a user ID', () => {
    expect(h.logs.length).toBeGreaterThan(20);
    const found = h.logs.flatMap((line, i) =>
      needles.filter(([, v]) => line.includes(v)).map(([what]) => `log line ${i}: ${what}: ${line.slice(0, 200)}`),
    );
    expect(found).toEqual([]);
  });
});
