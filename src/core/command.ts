import type { Logger } from 'pino';
import type { AttachmentRef, Author, IncomingMessage, OutgoingMessage, SentMessage } from '../chat/types.js';
import type { BotServices } from './services.js';

/** 'attachment' options exist only in the slash form; the prefix form uses the message's attachments. */
export type OptionType = 'string' | 'integer' | 'number' | 'boolean' | 'user' | 'channel' | 'attachment';

export interface CommandOption {
  name: string;
  description: string;
  type: OptionType;
  required?: boolean;
  /** Prefix form: this (last) option takes the rest of the line verbatim. */
  rest?: boolean;
  choices?: readonly string[];
  min?: number;
  max?: number;
}

export type PreconditionId = 'OwnerOnly' | 'AdminOnly' | 'GuildOnly' | 'InVoice' | 'FineTune' | 'SharedData';

export type ArgValue = string | number | boolean;
export type ParsedArgs = Record<string, ArgValue | undefined>;

export interface CommandContext {
  readonly command: CommandDefinition;
  readonly invocation: 'prefix' | 'slash';
  readonly args: ParsedArgs;
  /** The text after the command name (prefix form); '' for slash. */
  readonly rawArgs: string;
  /** The message that carried a prefix command. */
  readonly message?: IncomingMessage;
  readonly user: Author;
  readonly guildId: string | null;
  readonly channelId: string;
  readonly roleIds: readonly string[];
  readonly isAdmin: boolean;
  readonly isOwner: boolean;
  readonly authorVoiceChannelId: string | null;
  /** Files given with the command (message attachments, or slash attachment options). */
  readonly attachments: readonly AttachmentRef[];
  /** The prefix in force where the command was used. */
  readonly prefix: string;
  readonly services: BotServices;
  readonly log: Logger;
  reply(msg: OutgoingMessage | string): Promise<SentMessage>;
  /** Uses more of the user's rate limit (e.g. one unit per `!test` case); throws a UserError when over it. */
  spend(calls: number): void;
}

export interface CommandDefinition {
  name: string;
  description: string;
  /** Shown by !help, without the prefix: e.g. "instruction [name]". */
  usage: string;
  category: 'General' | 'Settings' | 'Admin' | 'Training' | 'Voice';
  options: readonly CommandOption[];
  preconditions: readonly PreconditionId[];
  aliases?: readonly string[];
  /** Register as a slash command too (default true). */
  slash?: boolean;
  /** Slash replies only the invoking user sees (default: true for AdminOnly/OwnerOnly commands). */
  private?: boolean;
  /** Append each successful run to the server's audit log (default: true for AdminOnly/OwnerOnly commands). */
  audit?: boolean;
  run(ctx: CommandContext): Promise<void>;
}

export function defineCommand(def: CommandDefinition): CommandDefinition {
  return def;
}
