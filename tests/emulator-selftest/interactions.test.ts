import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  GatewayIntentBits,
  MessageFlags,
  SlashCommandBuilder,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { createDiscordContract } from '../emulator/index.js';
import { startTextWorld, type TextWorld } from './text-setup.js';

const contract = createDiscordContract();

let w: TextWorld;
beforeEach(async () => {
  // These tests are about what interactions carry, not Discord's 3 s deadline (contract.test.ts checks that one): in a
  // loaded full run the test's own client answered after 3 s once (10062), so the deadline is 30 s here.
  w = await startTextWorld({
    contract,
    login: { intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages] },
    interactionTimeoutMs: 30_000,
  });
});
afterEach(() => w.close());

function onInteraction(handler: (i: Interaction) => Promise<unknown>): void {
  w.client?.on('interactionCreate', (i) => void handler(i).catch((err: unknown) => console.error('handler failed', err)));
}

describe('interactions', () => {
  test('commands registered with PUT are stored, global and per guild', async () => {
    const ask = new SlashCommandBuilder()
      .setName('ask')
      .setDescription('Ask the bot')
      .addStringOption((o) => o.setName('q').setDescription('question').setRequired(true));
    await w.client!.application.commands.set([ask.toJSON()]);
    await w.client!.application.commands.set([{ name: 'local', description: 'guild only' }], w.guild.id);
    expect(w.emu.commands.global).toEqual([
      expect.objectContaining({ name: 'ask', options: [expect.objectContaining({ name: 'q', type: 3 })] }),
    ]);
    expect(w.emu.commands.guild[w.guild.id]).toEqual([expect.objectContaining({ name: 'local', guild_id: w.guild.id })]);
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('a slash command interaction: options arrive, interaction.reply is recorded and stored', async () => {
    await w.client!.application.commands.set([{ name: 'ask', description: 'Ask', options: [{ name: 'q', description: 'q', type: 3 }] }]);
    onInteraction(async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply(`you asked: ${i.options.getString('q')} (${i.member?.user.id})`);
    });
    const itx = w.emu.interaction({
      name: 'ask',
      userId: w.alice.id,
      channelId: w.general.id,
      options: [{ name: 'q', type: 3, value: 'why?' }],
    });
    const reply = await w.emu.waitForBotMessage(w.general.id);
    expect(reply.content).toBe(`you asked: why? (${w.alice.id})`);
    expect(reply).toMatchObject({ interactionId: itx.id, type: 20, webhookId: w.emu.applicationId });
    expect(w.emu.interactionResponses).toEqual([
      expect.objectContaining({
        interactionId: itx.id,
        kind: 'callback',
        type: 4,
        data: expect.objectContaining({ content: reply.content }),
      }),
    ]);
    const callback = w.emu.requests.find((r) => r.route.endsWith('/callback'));
    expect(callback?.hasAuth).toBe(false);
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('deferReply + editReply + followUp; ephemeral replies are not echoed on the gateway', async () => {
    onInteraction(async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.deferReply();
      await i.editReply('done thinking');
      await i.followUp({ content: 'secret', flags: MessageFlags.Ephemeral });
    });
    w.emu.interaction({ name: 'slow', userId: w.alice.id, channelId: w.general.id });
    await w.emu.waitFor(() => w.emu.interactionResponses.length === 3, { label: 'three responses' });
    const [original, secret] = w.emu.botMessages(w.general.id);
    expect(original).toMatchObject({ content: 'done thinking', edits: [], flags: 0 });
    expect(secret).toMatchObject({ content: 'secret', flags: MessageFlags.Ephemeral });
    expect(w.emu.interactionResponses.map((r) => [r.kind, r.type])).toEqual([
      ['callback', 5],
      ['edit', 0],
      ['followup', 0],
    ]);
    const echoed = w.emu.gatewayEvents.filter((e) => e.t === 'MESSAGE_CREATE').map((e) => (e.d as { content: string }).content);
    expect(echoed).not.toContain('secret');
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('a button click: update() edits the message carrying the component', async () => {
    const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
      new ButtonBuilder().setCustomId('more').setLabel('More').setStyle(ButtonStyle.Primary),
    );
    const sent = await (w.client!.channels.cache.get(w.general.id) as TextChannel).send({ content: 'page 1', components: [row] });
    onInteraction(async (i) => {
      if (i.isButton() && i.customId === 'more') await i.update({ content: 'page 2', components: [] });
    });
    w.emu.interaction({ name: 'more', type: 3, customId: 'more', userId: w.alice.id, channelId: w.general.id, targetMessageId: sent.id });
    const edited = await w.emu.waitFor(() => w.emu.messages(w.general.id).find((m) => m.content === 'page 2'), {
      label: 'updated message',
    });
    expect(edited).toMatchObject({ id: sent.id, edits: ['page 1'], components: [] });
    expect(w.emu.contractViolations).toEqual([]);
  });

  test('a second callback is rejected with 40060 (already acknowledged)', async () => {
    const errors: unknown[] = [];
    onInteraction(async (i) => {
      if (!i.isChatInputCommand()) return;
      await i.reply('first');
      await w.emu.waitFor(() => true);
      const raw = await fetch(`${w.emu.restBase}/v10/interactions/${i.id}/${i.token}/callback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 4, data: { content: 'again' } }),
      });
      errors.push(await raw.json());
    });
    w.emu.interaction({ name: 'twice', userId: w.alice.id, channelId: w.general.id });
    await w.emu.waitFor(() => errors.length === 1, { label: 'second callback' });
    expect(errors[0]).toMatchObject({ code: 40060 });
  });
});
