import type { Logger } from 'pino';
import type { AttachmentRef, Author, IncomingMessage, OutgoingMessage, SentMessage } from '../chat/types.js';
import type { CommandContext, CommandDefinition, ParsedArgs } from './command.js';
import type { BotServices } from './services.js';
import { parsePrefixArgs } from './args.js';
import { runPreconditions } from './preconditions.js';
import { isUserError } from './errors.js';
import { resolveCommand, suggestCommand } from './lookup.js';
import { defuseMassMentions } from '../conversation/sanitize.js';

/** Receives every message that is not a command (history, replies, capture). */
export interface MessageListener {
  onMessage(msg: IncomingMessage): Promise<void>;
}

export interface SlashInvocation {
  name: string;
  args: ParsedArgs;
  user: Author;
  roleIds: string[];
  guildAdmin: boolean;
  guildId: string | null;
  channelId: string;
  isDM: boolean;
  authorVoiceChannelId: string | null;
  attachments: AttachmentRef[];
  reply(msg: OutgoingMessage): Promise<SentMessage>;
}

const COMMAND_WORD = /^([a-z][\w-]{0,31})(?=\s|$)/i;

/** The single place where commands are parsed, checked, run, timed and logged. */
export class Router {
  constructor(
    private readonly services: BotServices,
    private readonly listener: MessageListener,
    private readonly log: Logger,
  ) {}

  prefixFor(guildId: string | null): string {
    return (guildId && this.services.state.guild(guildId).prefix) || this.services.config.bot.prefix;
  }

  async handleMessage(msg: IncomingMessage): Promise<void> {
    const prefix = this.prefixFor(msg.guildId);
    const body = msg.author.bot || !msg.content.startsWith(prefix) ? null : msg.content.slice(prefix.length);
    const word = body === null ? null : COMMAND_WORD.exec(body);
    if (!word || !body) return this.listener.onMessage(msg);
    const reply = (m: OutgoingMessage | string) => this.services.surface.send(msg.channelId, withReplyTo(m, msg.id));
    const def = resolveCommand(this.services.commands, word[1]!);
    if (!def) {
      const hint = suggestCommand(this.services.commands, word[1]!);
      await reply(`Unknown command \`${prefix}${word[1]}\`.${hint ? ` Did you mean \`${prefix}${hint}\`?` : ''} Try \`${prefix}help\`.`);
      return;
    }
    const rawArgs = body.slice(word[0].length).trim();
    await this.execute(def, {
      invocation: 'prefix', rawArgs, message: msg, user: msg.author, guildId: msg.guildId, channelId: msg.channelId,
      roleIds: msg.roleIds, guildAdmin: msg.authorIsGuildAdmin, isDM: msg.isDM,
      authorVoiceChannelId: msg.authorVoiceChannelId ?? null, attachments: msg.attachments, prefix, reply,
      parse: () => parsePrefixArgs(def.options, rawArgs, `${prefix}${def.usage}`),
    });
  }

  async handleSlash(inv: SlashInvocation): Promise<void> {
    const def = resolveCommand(this.services.commands, inv.name);
    const reply = (m: OutgoingMessage | string) => inv.reply(safe(typeof m === 'string' ? { content: m } : m));
    if (!def) {
      await reply({ content: `Unknown command \`/${inv.name}\`.`, ephemeral: true });
      return;
    }
    await this.execute(def, {
      invocation: 'slash', rawArgs: '', user: inv.user, guildId: inv.guildId, channelId: inv.channelId,
      roleIds: inv.roleIds, guildAdmin: inv.guildAdmin, isDM: inv.isDM,
      authorVoiceChannelId: inv.authorVoiceChannelId, attachments: inv.attachments, prefix: this.prefixFor(inv.guildId), reply,
      parse: () => inv.args,
    });
  }

  private async execute(def: CommandDefinition, inv: Invocation): Promise<void> {
    const log = this.log.child({ command: def.name, guild: inv.guildId, channel: inv.channelId, via: inv.invocation });
    const started = performance.now();
    let outcome = 'ok';
    try {
      const denied = this.deny(inv);
      if (denied) {
        outcome = 'denied';
        await inv.reply(denied);
        return;
      }
      const ctx = this.context(def, inv, log);
      const pre = runPreconditions(ctx, def.preconditions);
      if (!pre.ok) {
        outcome = `precondition:${pre.identifier}`;
        await inv.reply(pre.message);
        return;
      }
      await def.run(ctx);
    } catch (err) {
      outcome = await this.fail(def, inv, err, log);
    } finally {
      log.info({ outcome, durationMs: Math.round(performance.now() - started) }, 'command');
    }
  }

  private deny(inv: Invocation): string | null {
    const { access } = this.services;
    const principal = { userId: inv.user.id, roleIds: inv.roleIds, guildAdmin: inv.guildAdmin };
    const decision = access.canUse(principal);
    if (!decision.ok) return decision.message;
    if (!access.channelAllowed(inv.channelId, inv.isDM) && !access.isAdmin(principal)) {
      return "Eos isn't enabled in this channel.";
    }
    return null;
  }

  private async fail(def: CommandDefinition, inv: Invocation, err: unknown, log: Logger): Promise<string> {
    if (isUserError(err)) {
      log.debug({ identifier: err.identifier }, err.message);
      await inv.reply(err.message).catch((e: unknown) => log.warn({ err: e }, 'reply failed'));
      return `user-error:${err.identifier}`;
    }
    log.error({ err }, 'command failed');
    await inv
      .reply(`Something went wrong running \`${inv.prefix}${def.name}\`. It has been logged.`)
      .catch((e: unknown) => log.warn({ err: e }, 'reply failed'));
    return 'error';
  }

  private context(def: CommandDefinition, inv: Invocation, log: Logger): CommandContext {
    const principal = { userId: inv.user.id, roleIds: inv.roleIds, guildAdmin: inv.guildAdmin };
    return {
      command: def, invocation: inv.invocation, args: inv.parse(), rawArgs: inv.rawArgs, message: inv.message,
      user: inv.user, guildId: inv.guildId, channelId: inv.channelId, roleIds: inv.roleIds,
      isAdmin: this.services.access.isAdmin(principal), isOwner: this.services.access.isOwner(inv.user.id),
      authorVoiceChannelId: inv.authorVoiceChannelId, attachments: inv.attachments, prefix: inv.prefix, services: this.services, log,
      reply: inv.reply,
    };
  }
}

interface Invocation {
  invocation: 'prefix' | 'slash';
  rawArgs: string;
  message?: IncomingMessage;
  user: Author;
  guildId: string | null;
  channelId: string;
  roleIds: string[];
  guildAdmin: boolean;
  isDM: boolean;
  authorVoiceChannelId: string | null;
  attachments: AttachmentRef[];
  prefix: string;
  reply(msg: OutgoingMessage | string): Promise<SentMessage>;
  parse(): ParsedArgs;
}

function withReplyTo(m: OutgoingMessage | string, id: string): OutgoingMessage {
  return safe(typeof m === 'string' ? { content: m, replyTo: id } : { replyTo: id, ...m });
}

/** Command replies never carry mass or role mentions, whatever text they echo. */
function safe(m: OutgoingMessage): OutgoingMessage {
  return m.content === undefined ? m : { ...m, content: defuseMassMentions(m.content) };
}
