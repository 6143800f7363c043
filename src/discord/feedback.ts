import {
  ActionRowBuilder,
  ApplicationCommandType,
  Events,
  MessageFlags,
  ModalBuilder,
  TextInputBuilder,
  TextInputStyle,
  type ButtonInteraction,
  type Interaction,
  type Client,
  type MessageContextMenuCommandInteraction,
  type MessageReaction,
  type ModalSubmitInteraction,
  type PartialMessageReaction,
  type PartialUser,
  type User,
  type RESTPostAPIContextMenuApplicationCommandsJSONBody,
} from 'discord.js';
import type { Logger } from 'pino';
import { correctionReply, keptMessage, type FeedbackService, type Rating, type RateResult } from '../training/feedback.js';
import type { AdmissionGate, Flow } from '../core/gate.js';
import type { EventActor } from '../tenancy/context.js';
import { isUserError } from '../core/errors.js';
import { isGuildAdmin } from './translate.js';

export const CORRECT_MENU = 'Correct reply';
const MODAL_PREFIX = 'eos:correct:';
const RATINGS: Record<string, Rating> = { 'eos:fb:up': 'up', 'eos:fb:down': 'down', '👍': 'up', '👎': 'down' };

export function contextMenus(): RESTPostAPIContextMenuApplicationCommandsJSONBody[] {
  return [{ name: CORRECT_MENU, type: ApplicationCommandType.Message }];
}

type Denied = (i: ButtonInteraction | MessageContextMenuCommandInteraction | ModalSubmitInteraction, flow: Flow) => string | null;

/** 👍/👎 buttons and reactions, and the "Correct reply" message menu with its modal; all pass the admission gate. */
export function attachFeedbackHandlers(
  client: Client,
  feedback: FeedbackService,
  gate: AdmissionGate,
  log: Logger,
  /** Runs each event as its server's tenant (src/tenancy), so ratings land in that server's datasets. */
  tenant: { run<T>(guildId: string | null, fn: () => T, actor?: EventActor | null): T } = { run: (_g, fn) => fn() },
): void {
  const denied: Denied = (i, flow) => {
    const d = gate.admit(who(i), flow);
    return d.ok ? null : d.message;
  };
  client.on(Events.InteractionCreate, (i) =>
    tenant.run(
      i.guildId,
      () => {
        let work: Promise<unknown> | null = null;
        if (i.isButton() && RATINGS[i.customId]) work = onButton(i, feedback, denied);
        else if (i.isMessageContextMenuCommand() && i.commandName === CORRECT_MENU) work = onMenu(i, client, denied);
        else if (i.isModalSubmit() && i.customId.startsWith(MODAL_PREFIX)) work = onModal(i, feedback, denied);
        work?.catch((err: unknown) => log.error({ err }, 'feedback interaction failed'));
      },
      eventActor(i),
    ),
  );
  client.on(Events.MessageReactionAdd, (reaction, user) =>
    tenant.run(reaction.message.guildId, () => {
      const rating = RATINGS[reaction.emoji.name ?? ''];
      if (!rating || user.bot) return;
      // A reply being captured (its send not answered yet) is waited for; other messages are ignored at once.
      feedback
        .settle(reaction.message.channelId, reaction.message.id)
        .then(() => onReaction(reaction, user, rating))
        .catch((err: unknown) => log.error({ err }, 'reaction feedback failed'));
    }),
  );

  function onReaction(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser, rating: Rating): void {
    const messageId = reaction.message.id;
    if (!feedback.isCandidate(messageId)) return;
    // Reactions carry no member: the gate sees the user's ID (user blocks; role blocks need the member, fetched when cached).
    const member = reaction.message.guild?.members.cache.get(user.id);
    const roleIds = member ? [...member.roles.cache.keys()].filter((r) => r !== reaction.message.guildId) : [];
    const actor = {
      userId: user.id,
      roleIds,
      guildAdmin: isGuildAdmin(member?.permissions),
      guildId: reaction.message.guildId,
      channelId: reaction.message.channelId,
      isDM: !reaction.message.guildId,
    };
    const verdict = gate.admit(actor, 'reaction', { warn: false });
    if (!verdict.ok) return void log.info({ messageId, reason: verdict.reason }, 'reaction feedback not admitted');
    feedback
      .rate(messageId, rating)
      .then((r) => log.info({ messageId, rating, outcome: r.outcome }, 'reaction feedback'))
      .catch((err: unknown) => log.error({ err }, 'reaction feedback failed'));
  }
}

/** Who caused an interaction, for the tenancy rules (a member's correction waits for review). */
function eventActor(i: Interaction): EventActor {
  const member = i.inCachedGuild() ? i.member : null;
  const roleIds = member ? [...member.roles.cache.keys()].filter((r) => r !== i.guildId) : [];
  return {
    userId: i.user.id,
    roleIds,
    guildAdmin: isGuildAdmin(i.memberPermissions),
    name: member?.displayName ?? i.user.globalName ?? i.user.username,
  };
}

function who(i: ButtonInteraction | MessageContextMenuCommandInteraction | ModalSubmitInteraction) {
  const roles = i.inCachedGuild() ? [...i.member.roles.cache.keys()].filter((r) => r !== i.guildId) : [];
  return {
    userId: i.user.id,
    roleIds: roles,
    guildAdmin: isGuildAdmin(i.memberPermissions),
    guildId: i.guildId,
    channelId: i.channelId ?? '',
    isDM: !i.inGuild(),
  };
}

async function onButton(i: ButtonInteraction, feedback: FeedbackService, denied: Denied): Promise<void> {
  const no = denied(i, 'component');
  if (no) return void (await i.reply({ content: no, flags: MessageFlags.Ephemeral }));
  const rating = RATINGS[i.customId]!;
  let content: string;
  try {
    // Buttons come with a reply's one send: a click can arrive before Eos has that send's answer (and its capture).
    await feedback.settle(i.message.channelId, i.message.id);
    content = rateReply(await feedback.rate(i.message.id, rating), rating);
  } catch (err) {
    if (!isUserError(err)) throw err;
    content = err.message;
  }
  await i.reply({ content, flags: MessageFlags.Ephemeral });
}

/** The rater's answer: saved, kept as feedback (someone decided first), or not a reply that can be rated. */
function rateReply(r: RateResult, rating: Rating): string {
  if (r.outcome === 'saved') return `Thanks! Saved as a ${r.kind} example in **${r.dataset}**.`;
  if (r.outcome === 'kept') return keptMessage(r.decided, rating);
  return "I can't rate this message: it is not one of my recent replies.";
}

async function onMenu(i: MessageContextMenuCommandInteraction, client: Client, denied: Denied): Promise<void> {
  const no = denied(i, 'menu');
  if (no) return void (await i.reply({ content: no, flags: MessageFlags.Ephemeral }));
  if (i.targetMessage.author.id !== client.user?.id) {
    await i.reply({ content: 'Only my own replies can be corrected.', flags: MessageFlags.Ephemeral });
    return;
  }
  const input = new TextInputBuilder()
    .setCustomId('better')
    .setLabel('The better answer')
    .setStyle(TextInputStyle.Paragraph)
    .setRequired(true)
    .setMaxLength(4000)
    .setValue(i.targetMessage.content.slice(0, 4000) || ' ');
  const modal = new ModalBuilder()
    .setCustomId(`${MODAL_PREFIX}${i.targetId}`)
    .setTitle('Correct reply')
    .addComponents(new ActionRowBuilder<TextInputBuilder>().addComponents(input));
  await i.showModal(modal);
}

async function onModal(i: ModalSubmitInteraction, feedback: FeedbackService, denied: Denied): Promise<void> {
  const no = denied(i, 'modal');
  if (no) return void (await i.reply({ content: no, flags: MessageFlags.Ephemeral }));
  const messageId = i.customId.slice(MODAL_PREFIX.length);
  if (i.channelId) await feedback.settle(i.channelId, messageId);
  // The modal names its reply; it must be one posted in this channel (a forged ID from a DM or another server is refused).
  const where = feedback.channelOf(messageId);
  if (where !== undefined && where !== i.channelId) {
    return void (await i.reply({ content: 'Corrections only apply to my replies in this channel.', flags: MessageFlags.Ephemeral }));
  }
  try {
    const r = await feedback.correct(messageId, i.fields.getTextInputValue('better'));
    await i.reply({ content: correctionReply(r), flags: MessageFlags.Ephemeral });
  } catch (err) {
    if (!isUserError(err)) throw err;
    await i.reply({ content: err.message, flags: MessageFlags.Ephemeral });
  }
}
