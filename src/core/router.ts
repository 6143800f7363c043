import type { Logger } from 'pino';
import type { AttachmentRef, Author, IncomingMessage, OutgoingMessage, SentMessage } from '../chat/types.js';
import type { CommandContext, CommandDefinition, ParsedArgs } from './command.js';
import type { BotServices } from './services.js';
import { parsePrefixArgs } from './args.js';
import { runPreconditions } from './preconditions.js';
import { isUserError, UserError } from './errors.js';
import { resolveCommand, suggestCommand } from './lookup.js';
import { defuseMassMentions, toDatasetText } from '../conversation/sanitize.js';
import { AdmissionGate, type Actor } from './gate.js';
import type { EventActor } from '../tenancy/context.js';
import { UserRateLimiter } from '../conversation/rate-limit.js';
import { auditAction, isPrivate } from './privileged.js';
import { meteredModel } from './metered.js';

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
  private readonly gate: AdmissionGate;

  constructor(
    private readonly services: BotServices,
    private readonly listener: MessageListener,
    private readonly log: Logger,
  ) {
    this.gate = services.gate ?? new AdmissionGate(services.access, new UserRateLimiter({ count: 0, perSeconds: 1 }));
  }

  prefixFor(guildId: string | null): string {
    return (guildId && this.services.state.guild(guildId).prefix) || this.services.config.bot.prefix;
  }

  /** Everything an event causes runs as its server's tenant (its datasets, memory, feedback). */
  async handleMessage(msg: IncomingMessage): Promise<void> {
    const tenants = this.services.tenants;
    return tenants ? tenants.context.run(msg.guildId, () => this.onMessage(msg)) : this.onMessage(msg);
  }

  async handleSlash(inv: SlashInvocation): Promise<void> {
    const tenants = this.services.tenants;
    return tenants ? tenants.context.run(inv.guildId, () => this.onSlash(inv)) : this.onSlash(inv);
  }

  private async onMessage(msg: IncomingMessage): Promise<void> {
    const prefix = this.prefixFor(msg.guildId);
    const body = msg.author.bot || !msg.content.startsWith(prefix) ? null : msg.content.slice(prefix.length);
    const word = body === null ? null : COMMAND_WORD.exec(body);
    if (!word || !body) return this.chat(msg);
    const reply = (m: OutgoingMessage | string) => this.services.surface.send(msg.channelId, withReplyTo(m, msg.id));
    const def = resolveCommand(this.services.commands, word[1]!);
    if (!def) {
      const hint = suggestCommand(this.services.commands, word[1]!);
      await reply(`Unknown command \`${prefix}${word[1]}\`.${hint ? ` Did you mean \`${prefix}${hint}\`?` : ''} Try \`${prefix}help\`.`);
      return;
    }
    const rawArgs = body.slice(word[0].length).trim();
    const publicReply = (m: OutgoingMessage | string) => reply(typeof m === 'string' ? m : withoutPrivate(m));
    // Private replies, and files of admin commands (datasets, archives), never go into a server channel:
    // they go to their author by DM.
    const privateFiles = isPrivate(def);
    const privateReply = async (m: OutgoingMessage | string): Promise<SentMessage> => {
      const out = typeof m === 'string' ? { content: m } : m;
      const dm = this.services.surface.sendDM;
      if (!(out.private || (privateFiles && out.files?.length)) || msg.isDM || !dm) return publicReply(m);
      try {
        await dm.call(this.services.surface, msg.author.id, safe(withoutPrivate(out)));
      } catch (err) {
        this.log.warn({ err }, 'private reply by DM failed');
        return publicReply(`I couldn't send you a DM: allow DMs from this server, or use \`/${def.name}\` (only you see the answer).`);
      }
      return publicReply('📬 Sent to you by DM.');
    };
    await this.execute(def, {
      invocation: 'prefix',
      rawArgs,
      message: msg,
      user: msg.author,
      guildId: msg.guildId,
      channelId: msg.channelId,
      roleIds: msg.roleIds,
      guildAdmin: msg.authorIsGuildAdmin,
      isDM: msg.isDM,
      authorVoiceChannelId: msg.authorVoiceChannelId ?? null,
      attachments: msg.attachments,
      prefix,
      reply: privateReply,
      parse: () => parsePrefixArgs(def.options, rawArgs, `${prefix}${def.usage}`),
    });
  }

  /**
   * A chat message passes the gate before anything sees it: a blocked, not-allowed or opted-out
   * author's message is neither answered nor kept in history, prompts, logs or records. Only a
   * direct address (DM, mention, reply to Eos) gets a short reason.
   */
  private async chat(msg: IncomingMessage): Promise<void> {
    if (msg.author.bot) return this.listener.onMessage(msg);
    // Voice messages (flag 8192) are always addressed to Eos.
    const direct = msg.isDM || msg.mentionsBot || msg.replyToBot || ((msg.flags ?? 0) & 8192) !== 0;
    const verdict = this.gate.admit(actorOf(msg), 'message', { warn: direct });
    if (verdict.ok) {
      const { privacy } = this.services;
      if (privacy) {
        privacy.noteContribution(msg.guildId, msg.author.id, textVariants(msg.cleanContent));
        await privacy.noticeIfNeeded(msg.guildId, msg.channelId, this.prefixFor(msg.guildId));
      }
      return this.listener.onMessage(msg);
    }
    this.log.debug({ channel: msg.channelId, reason: verdict.reason }, 'message not admitted');
    if (verdict.notify) await this.services.surface.send(msg.channelId, { content: verdict.message, replyTo: msg.id });
  }

  private async onSlash(inv: SlashInvocation): Promise<void> {
    const def = resolveCommand(this.services.commands, inv.name);
    const priv = def ? isPrivate(def) : false;
    // Slash replies of admin commands, private replies (and every denial or error, below) are ephemeral.
    const reply = (m: OutgoingMessage | string) =>
      inv.reply(
        safe(
          typeof m === 'string'
            ? { content: m, ephemeral: priv || undefined }
            : priv || m.private
              ? { ...withoutPrivate(m), ephemeral: true }
              : m,
        ),
      );
    if (!def) {
      await reply({ content: `Unknown command \`/${inv.name}\`.`, ephemeral: true });
      return;
    }
    await this.execute(def, {
      invocation: 'slash',
      rawArgs: '',
      user: inv.user,
      guildId: inv.guildId,
      channelId: inv.channelId,
      roleIds: inv.roleIds,
      guildAdmin: inv.guildAdmin,
      isDM: inv.isDM,
      authorVoiceChannelId: inv.authorVoiceChannelId,
      attachments: inv.attachments,
      prefix: this.prefixFor(inv.guildId),
      reply,
      parse: () => inv.args,
    });
  }

  private async execute(def: CommandDefinition, inv: Invocation): Promise<void> {
    const log = this.log.child({ command: def.name, guild: inv.guildId, channel: inv.channelId, via: inv.invocation });
    const started = performance.now();
    let outcome = 'ok';
    try {
      const verdict = this.gate.admit(actorOf(inv), 'command');
      if (!verdict.ok) {
        outcome = `denied:${verdict.reason}`;
        // A slash command always needs an answer (else Discord shows "thinking…" forever); prefix floods get one notice.
        if (verdict.notify || inv.invocation === 'slash') await inv.reply(this.privately(inv, verdict.message));
        return;
      }
      const ctx = this.context(def, inv, log);
      const pre = runPreconditions(ctx, def.preconditions);
      if (!pre.ok) {
        outcome = `precondition:${pre.identifier}`;
        await inv.reply(this.privately(inv, pre.message));
        return;
      }
      if (CONTRIBUTING.has(def.name)) this.noteCommandText(ctx);
      await def.run(ctx);
      await this.audit(def, ctx, log);
    } catch (err) {
      outcome = await this.fail(def, inv, err, log);
    } finally {
      log.info({ outcome, durationMs: Math.round(performance.now() - started) }, 'command');
    }
  }

  /**
   * The services as a server sees them: its own datasets, feedback, memory, evaluations, folders and
   * settings; a plain member's `!train` and corrections go to the server's review queue.
   */
  private servicesFor(guildId: string | null, actor: EventActor): { services: BotServices; reviewed: boolean } {
    const tenants = this.services.tenants;
    const t = tenants?.of(guildId);
    if (!tenants || !t || t.guildId === null) return { services: this.services, reviewed: false };
    const view = tenants.view(guildId, actor);
    const { config } = this.services;
    const services = {
      ...this.services,
      datasets: view.datasets,
      feedback: view.feedback,
      evaluations: t.evaluations,
      state: t.state,
      memory: t.memory,
      config: { ...config, paths: { ...config.paths, datasets: t.paths.datasets, archives: t.paths.archives } },
    } as BotServices;
    return { services, reviewed: view.reviewed };
  }

  /** Explicit contributions (`!train`, `!correct`, `!feedback`) go into the private index for `!forget me`. */
  private noteCommandText(ctx: CommandContext): void {
    const texts = [ctx.rawArgs, ...Object.values(ctx.args).filter((v): v is string => typeof v === 'string')];
    const pieces = texts.flatMap((t) => [t, ...t.split('\n').map((l) => l.replace(/^\s*(user|assistant|system)\s*:\s*/i, ''))]);
    this.services.privacy?.noteContribution(ctx.guildId, ctx.user.id, pieces.flatMap(textVariants));
  }

  /** Denials and errors of slash commands are ephemeral; prefix replies stay plain. */
  private privately(inv: Invocation, content: string): OutgoingMessage | string {
    return inv.invocation === 'slash' ? { content, ephemeral: true } : content;
  }

  /** Privileged actions go to the server's audit log (who, what, when); a failed append is logged, never fatal. */
  private async audit(def: CommandDefinition, ctx: CommandContext, log: Logger): Promise<void> {
    const action = auditAction(def, ctx);
    if (!action || !this.services.audit) return;
    await this.services.audit
      .append({ guildId: ctx.guildId, userId: ctx.user.id, displayName: ctx.user.displayName, action })
      .catch((err: unknown) => log.warn({ err }, 'audit append failed'));
  }

  private async fail(def: CommandDefinition, inv: Invocation, err: unknown, log: Logger): Promise<string> {
    if (isUserError(err)) {
      log.debug({ identifier: err.identifier }, err.message);
      await inv.reply(this.privately(inv, err.message)).catch((e: unknown) => log.warn({ err: e }, 'reply failed'));
      return `user-error:${err.identifier}`;
    }
    log.error({ err }, 'command failed');
    await inv
      .reply(this.privately(inv, `Something went wrong running \`${inv.prefix}${def.name}\`. It has been logged.`))
      .catch((e: unknown) => log.warn({ err: e }, 'reply failed'));
    return 'error';
  }

  private context(def: CommandDefinition, inv: Invocation, log: Logger): CommandContext {
    const principal = { userId: inv.user.id, roleIds: inv.roleIds, guildAdmin: inv.guildAdmin };
    const gate = this.gate;
    const view = this.servicesFor(inv.guildId, { ...principal, name: inv.user.displayName });
    const { reviewed } = view;
    // Every LLM call a command makes (each `!test` case, judge calls) uses the user's rate limit too.
    const services = {
      ...view.services,
      model: meteredModel(view.services.model, () => {
        const verdict = gate.spend(principal, 1);
        if (!verdict.ok) throw new UserError('RateLimited', verdict.message);
      }),
    } as BotServices;
    return {
      command: def,
      invocation: inv.invocation,
      args: inv.parse(),
      rawArgs: inv.rawArgs,
      message: inv.message,
      user: inv.user,
      guildId: inv.guildId,
      channelId: inv.channelId,
      roleIds: inv.roleIds,
      isAdmin: this.services.access.isAdmin(principal),
      isOwner: this.services.access.isOwner(inv.user.id),
      authorVoiceChannelId: inv.authorVoiceChannelId,
      attachments: inv.attachments,
      prefix: inv.prefix,
      services,
      log,
      reply: reviewed && contributes(def, inv.parse()) ? (m) => inv.reply(withReviewNote(m, inv.prefix)) : inv.reply,
      spend(calls: number) {
        const verdict = gate.spend(principal, calls);
        if (!verdict.ok) throw new UserError('RateLimited', verdict.message);
      },
    };
  }
}

const CONTRIBUTING = new Set(['train', 'correct', 'feedback']);

/** `!train <examples>` and `!correct` add records (not `!train start|status|…`). */
function contributes(def: CommandDefinition, args: ParsedArgs): boolean {
  if (def.name === 'correct') return true;
  const text = typeof args.text === 'string' ? args.text.trim() : '';
  return def.name === 'train' && !/^(start|status|cancel|use)\b/i.test(text);
}

function withReviewNote(m: OutgoingMessage | string, prefix: string): OutgoingMessage | string {
  const note = `\n⏳ Waiting for a server admin's review (\`${prefix}review\`) before it steers answers or training.`;
  if (typeof m === 'string') return m + note;
  return m.content === undefined ? m : { ...m, content: m.content + note };
}

/** A text as typed and as the datasets store it (mentions as names, private data scrubbed). */
function textVariants(text: string): string[] {
  try {
    return [text, toDatasetText(text)];
  } catch {
    return [text];
  }
}

function actorOf(x: IncomingMessage | Invocation): Actor {
  if ('author' in x) {
    return {
      userId: x.author.id,
      roleIds: x.roleIds,
      guildAdmin: x.authorIsGuildAdmin,
      guildId: x.guildId,
      channelId: x.channelId,
      isDM: x.isDM,
    };
  }
  return { userId: x.user.id, roleIds: x.roleIds, guildAdmin: x.guildAdmin, guildId: x.guildId, channelId: x.channelId, isDM: x.isDM };
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

/** The message as sent once its privacy has been decided. */
function withoutPrivate(m: OutgoingMessage): OutgoingMessage {
  if (m.private === undefined) return m;
  const { private: _private, ...rest } = m;
  return rest;
}

/** Command replies never carry mass or role mentions, whatever text they echo. */
function safe(m: OutgoingMessage): OutgoingMessage {
  return m.content === undefined ? m : { ...m, content: defuseMassMentions(m.content) };
}
