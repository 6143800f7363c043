import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { createCommandIndex } from '../../src/commands/index.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  await h.close();
});

const say = (userId: string, content: string, channelId = h.general.id) => h.emu.userSays({ channelId, userId, content });
const reply = (channelId = h.general.id, after?: string) =>
  h.emu.waitForBotMessage(channelId, (m) => (after ? BigInt(m.id) > BigInt(after) : true));

describe('commands through the real discord.js client', () => {
  test('slash commands are registered at start, one per command', async () => {
    const registered = h.emu.commands.global as { name: string; type?: number }[];
    const names = registered
      .filter((c) => (c.type ?? 1) === 1)
      .map((c) => c.name)
      .sort();
    expect(names).toEqual([...createCommandIndex().keys()].sort());
    expect(registered.filter((c) => c.type === 3).map((c) => c.name)).toEqual(['Correct reply']);
  });

  test('!hi replies to the message with the display name', async () => {
    const msg = say(h.alice.id, '!hi');
    const r = await reply(h.general.id, msg.id);
    expect(r.content).toMatch(/^Hi Ali! I'm Eos/);
    expect(r.replyTo).toBe(msg.id);
  });

  test('!help is an embed listing every command with its usage', async () => {
    const msg = say(h.bob.id, '!help');
    const r = await reply(h.general.id, msg.id);
    const embed = r.embeds[0] as { title: string; fields: { name: string; value: string }[] };
    expect(embed.title).toBe('Eos commands');
    const text = embed.fields.map((f) => f.value).join('\n');
    for (const def of createCommandIndex().values()) expect(text).toContain(`!${def.usage}`);
  });

  test('!instruction shows INSTRUCTION.md; a name shows instructions/<name>.md; a path is refused', async () => {
    const main = await readFile(path.join(import.meta.dirname, '../../INSTRUCTION.md'), 'utf8');
    let msg = say(h.bob.id, '!instruction');
    let r = await reply(h.general.id, msg.id);
    expect(r.content).toBe(main.trim().slice(0, r.content.length));
    msg = say(h.bob.id, '!instruction admin');
    r = await reply(h.general.id, msg.id);
    expect(r.content).toMatch(/^# Running Eos as an admin/);
    msg = say(h.bob.id, '!instruction ../package');
    r = await reply(h.general.id, msg.id);
    expect(r.content).toMatch(/^No instruction named `..\/package`. Available: `admin`/);
  });

  test('an unknown command gets a short hint', async () => {
    const msg = say(h.bob.id, '!trian');
    const r = await reply(h.general.id, msg.id);
    expect(r.content).toMatch(/^Unknown command `!trian`/);
    expect(r.content).toContain('!help');
  });

  test('!ping @user mentions that user; !ping alone answers', async () => {
    let msg = say(h.bob.id, `!ping <@${h.alice.id}>`);
    let r = await reply(h.general.id, msg.id);
    expect(r.content).toBe(`<@${h.alice.id}>, Bob is pinging you! 🏓`);
    msg = say(h.bob.id, '!ping');
    r = await reply(h.general.id, msg.id);
    await h.emu.waitFor(() => r.content.startsWith('Pong! (') && r);
  });

  test('admin settings: denied to a member, set by an admin role, persisted to the state file', async () => {
    let msg = say(h.bob.id, '!temperature 1.5');
    let r = await reply(h.general.id, msg.id);
    expect(r.content).toBe('Only Eos admins can use this command.');
    h.emu.addMember(h.guild.id, h.bob.id, { roles: [h.adminRole.id] });
    msg = say(h.bob.id, '!temperature 1.5');
    r = await reply(h.general.id, msg.id);
    expect(r.content).toBe('Temperature in this channel set to **1.5**.');
    for (const [cmd, value] of [
      ['reply_probability', '0.25'],
      ['reaction_probability', '0.5'],
    ] as const) {
      msg = say(h.owner.id, `!${cmd} ${value}`);
      await reply(h.general.id, msg.id);
    }
    await h.app.state.flush();
    const saved = JSON.parse(await readFile(path.join(h.dataDir, 'state', 'eos.json'), 'utf8'));
    expect(saved.channels[h.general.id]).toEqual({ temperature: 1.5, replyProbability: 0.25, reactionProbability: 0.5 });
    msg = say(h.owner.id, '!temperature 9');
    r = await reply(h.general.id, msg.id);
    expect(r.content).toBe('Temperature must be a number from 0 to 2.');
  });

  test('!puppet: admins speak in another channel, others are refused', async () => {
    let msg = say(h.alice.id, `!puppet <#${h.random.id}> hello from the puppet`);
    let r = await reply(h.general.id, msg.id);
    expect(r.content).toBe('Only Eos admins can use this command.');
    msg = say(h.owner.id, `!puppet <#${h.random.id}> hello from the puppet`);
    r = await reply(h.general.id, msg.id);
    expect(r.content).toBe(`Sent to <#${h.random.id}>.`);
    const posted = await h.emu.waitForBotMessage(h.random.id, (m) => m.content === 'hello from the puppet');
    expect(posted.content).toBe('hello from the puppet');
  });

  test('a slash command runs the same definition and answers the interaction', async () => {
    const inter = h.emu.interaction({ name: 'hi', userId: h.alice.id, channelId: h.general.id, guildId: h.guild.id });
    const resp = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === inter.id));
    expect(resp.type).toBe(4);
    expect((resp.data as { content: string }).content).toMatch(/^Hi Ali!/);
  });

  test('slash options are parsed like prefix arguments (admin denial included)', async () => {
    const inter = h.emu.interaction({
      name: 'temperature',
      userId: h.alice.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      options: [{ name: 'value', type: 3, value: '0.1' }],
    });
    const resp = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === inter.id));
    expect((resp.data as { content: string }).content).toBe('Only Eos admins can use this command.');
  });

  test('!prefix changes the prefix for the guild only', async () => {
    let msg = say(h.owner.id, '!prefix ?');
    let r = await reply(h.general.id, msg.id);
    expect(r.content).toBe('Prefix set to `?`. Try `?help`.');
    msg = say(h.alice.id, '?hi');
    r = await reply(h.general.id, msg.id);
    expect(r.content).toMatch(/^Hi Ali!/);
    msg = say(h.owner.id, '?prefix reset');
    r = await reply(h.general.id, msg.id);
    expect(r.content).toBe('Prefix reset to `!`.');
  });
});
