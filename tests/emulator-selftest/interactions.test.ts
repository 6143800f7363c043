import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  GatewayIntentBits,
  MessageFlags,
  SlashCommandBuilder,
  type Client,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { createDiscordContract, startDiscordEmulator, type DiscordEmulator, type EmuChannel, type EmuUser } from '../emulator/index.js';
import { loginClient } from '../emulator/discordjs.js';

const contract = createDiscordContract();

let emu: DiscordEmulator;
let client: Client<true> | undefined;
let alice: EmuUser;
let general: EmuChannel;
let guildId: string;

beforeEach(async () => {
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 300, contract });
  alice = emu.createUser({ username: 'alice' });
  guildId = emu.createGuild({ name: 'Test Guild' }).id;
  emu.addMember(guildId, alice.id);
  general = emu.createChannel({ guildId, name: 'general' });
  client = await loginClient(emu, { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] }, 5000);
});

afterEach(async () => {
  const violations = [...emu.contractViolations];
  await client?.destroy();
  client = undefined;
  await emu.close();
  expect(violations, 'contract violations (REST and gateway)').toEqual([]);
});

function onInteraction(handler: (i: Interaction) => Promise<unknown>): void {
  client?.on('interactionCreate', (i) => void handler(i).catch((err: unknown) => console.error('handler failed', err)));
}

describe('interactions', () => {
  test('commands registered with PUT are stored, global and per guild', async () => {
    const ask = new SlashCommandBuilder().setName('ask').setDescription('Ask the bot').addStringOption((o) => o.setName('q').setDescription('question').setRequired(true));
    await client!.application.commands.set([ask.toJSON()]);
    await client!.application.commands.set([{ name: 'local', description: 'guild only' }], guildId);
    expect(emu.commands.global).toEqual([expect.objectContaining({ name: 'ask', options: [expect.objectContaining({ name: 'q', type: 3 })] })]);
    expect(emu.commands.guild[guildId]).toEqual([expect.objectContaining({ name: 'local', guild_id: guildId })]);
    expect(emu.contractViolations).toEqual([]);
  });

  test('a slash command interaction: options arrive, interaction.reply is recorded and stored', async () => {
    await client!.application.commands.set([{ name: 'ask', description: 'Ask', options: [{ name: 'q', description: 'q', type: 3 }] }]);
    onInteraction(async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply(`you asked: ${i.options.getString('q')} (${i.member?.user.id})`);
    });
    const itx = emu.interaction({ name: 'ask', userId: alice.id, channelId: general.id, options: [{ name: 'q', type: 3, value: 'why?' }] });
    const reply = await emu.waitForBotMessage(general.id);
    expect(reply.content).toBe(`you asked: why? (${alice.id})`);
    expect(reply).toMatchObject({ interactionId: itx.id, type: 20, webhookId: emu.applicationId });
    expect(emu.interactionResponses).toEqual([expect.objectContaining({ interactionId: itx.id, kind: 'callback', type: 4, data: expect.objectContaining({ content: reply.content }) })]);
    const callback = emu.requests.find((r) => r.route.endsWith('/callback'));
    expect(callback?.hasAuth).toBe(false);
    expect(emu.contractViolations).toEqual([]);
  });

  test('deferReply + editReply + followUp; ephemeral replies are not echoed on the gateway', async () => {
    onInteraction(async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply();
      await i.editReply('done thinking');
      await i.followUp({ content: 'secret', flags: MessageFlags.Ephemeral });
    });
    emu.interaction({ name: 'slow', userId: alice.id, channelId: general.id });
    await emu.waitFor(() => emu.interactionResponses.length === 3, { label: 'three responses' });
    const [original, secret] = emu.botMessages(general.id);
    expect(original).toMatchObject({ content: 'done thinking', edits: [], flags: 0 });
    expect(secret).toMatchObject({ content: 'secret', flags: MessageFlags.Ephemeral });
    expect(emu.interactionResponses.map((r) => [r.kind, r.type])).toEqual([['callback', 5], ['edit', 0], ['followup', 0]]);
    const echoed = emu.gatewayEvents.filter((e) => e.t === 'MESSAGE_CREATE').map((e) => (e.d as { content: string }).content);
    expect(echoed).not.toContain('secret');
    expect(emu.contractViolations).toEqual([]);
  });

  test('a button click: update() edits the message carrying the component', async () => {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(new ButtonBuilder().setCustomId('more').setLabel('More').setStyle(ButtonStyle.Primary));
    const sent = await (client!.channels.cache.get(general.id) as TextChannel).send({ content: 'page 1', components: [row] });
    onInteraction(async (i) => {
      if (i.isButton() && i.customId === 'more') await i.update({ content: 'page 2', components: [] });
    });
    emu.interaction({ name: 'more', type: 3, customId: 'more', userId: alice.id, channelId: general.id, targetMessageId: sent.id });
    const edited = await emu.waitFor(() => emu.messages(general.id).find((m) => m.content === 'page 2'), { label: 'updated message' });
    expect(edited).toMatchObject({ id: sent.id, edits: ['page 1'], components: [] });
    expect(emu.contractViolations).toEqual([]);
  });

  test('a second callback is rejected with 40060 (already acknowledged)', async () => {
    const errors: unknown[] = [];
    onInteraction(async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply('first');
      await emu.waitFor(() => true);
      const raw = await fetch(`${emu.restBase}/v10/interactions/${i.id}/${i.token}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 4, data: { content: 'again' } }),
      });
      errors.push(await raw.json());
    });
    emu.interaction({ name: 'twice', userId: alice.id, channelId: general.id });
    await emu.waitFor(() => errors.length === 1, { label: 'second callback' });
    expect(errors[0]).toMatchObject({ code: 40060 });
  });
});
