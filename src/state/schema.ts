/**
 * Shape of the persisted state file (<dataDir>/state/eos.json). Unknown keys are kept (forward compatible),
 * known keys are validated both when loading and when patching.
 */
import { z } from 'zod';
import { problemsOf } from '../config-issues.js';

export const STATE_VERSION = 1;

export const guildSettingsSchema = z.looseObject({
  prefix: z.string().trim().min(1).max(8).optional(),
  recording: z.boolean().optional(),
  recordingSince: z.string().max(40).optional(),
  activeDataset: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/).optional(),
  trainKind: z.enum(['positive', 'negative']).optional(),
  trustMembers: z.boolean().optional(),
  chatModel: z.string().min(1).max(200).optional(),
  fineTuneJobId: z.string().min(1).max(200).optional(),
  fineTuneMessage: z.object({ channelId: z.string(), messageId: z.string(), note: z.string().max(300).optional() }).optional(),
  lastFineTunedModel: z.string().min(1).max(200).optional(),
  fineTuneJobs: z.array(z.string().min(1).max(200)).max(100).optional(),
  fineTuneModels: z.array(z.string().min(1).max(200)).max(100).optional(),
});

export const channelSettingsSchema = z.looseObject({
  temperature: z.number().min(0).max(2).optional(),
  replyProbability: z.number().min(0).max(1).optional(),
  reactionProbability: z.number().min(0).max(1).optional(),
  recordingNoticeAt: z.string().max(40).optional(),
});

export const userPrefsSchema = z.looseObject({
  replyPrefix: z.string().max(64).optional(),
  optedOut: z.boolean().optional(),
});

export const trainingSettingsSchema = z.looseObject({
  activeDataset: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/).optional(),
  chatModel: z.string().min(1).max(200).optional(),
  fineTuneJobId: z.string().min(1).max(200).optional(),
  fineTuneMessage: z.object({ channelId: z.string(), messageId: z.string(), note: z.string().max(300).optional() }).optional(),
  trainKind: z.enum(['positive', 'negative']).optional(),
  lastFineTunedModel: z.string().min(1).max(200).optional(),
});

export const stateDataSchema = z.looseObject({
  version: z.number().int().default(STATE_VERSION),
  guilds: z.record(z.string(), guildSettingsSchema).default({}),
  channels: z.record(z.string(), channelSettingsSchema).default({}),
  users: z.record(z.string(), userPrefsSchema).default({}),
  training: trainingSettingsSchema.default({}),
});

export interface GuildSettings {
  /** Text-command prefix for this guild (overrides config `prefix`). */
  prefix?: string;
  /** Consent: conversations are logged in this server (set by `!recording on|off`; else config privacy.recordByDefault). */
  recording?: boolean;
  /** ISO time recording was last turned on (channels noticed before it get a new notice). */
  recordingSince?: string;
  /** This server's active dataset (its own datasets live in guilds/<id>/datasets). */
  activeDataset?: string;
  /** This server's default `!train` kind. */
  trainKind?: 'positive' | 'negative';
  /** Members' `!train` and corrections apply at once instead of waiting for `!review`. */
  trustMembers?: boolean;
  /** This server's chat model (only with `training.fineTuneByServerAdmins`). */
  chatModel?: string;
  /** This server's followed fine-tuning job and its progress message (delegated fine-tuning); message unset once it ended. */
  fineTuneJobId?: string;
  fineTuneMessage?: { channelId: string; messageId: string; note?: string };
  lastFineTunedModel?: string;
  /** Jobs this server started and models they produced (newest last): what its admins may see, cancel and `use`. */
  fineTuneJobs?: string[];
  fineTuneModels?: string[];
}

export interface ChannelSettings {
  temperature?: number;
  replyProbability?: number;
  reactionProbability?: number;
  /** ISO time the recording notice was last posted in this channel. */
  recordingNoticeAt?: string;
}

export interface UserPrefs {
  /** Text prepended to replies to this user. */
  replyPrefix?: string;
  /** `!optout`: nothing this user writes is read into conversations or stored. */
  optedOut?: boolean;
}

export interface TrainingSettings {
  /** Dataset that capture, !train and memory use (default 'default'). */
  activeDataset?: string;
  /** Chat model chosen at run time (e.g. a finished fine-tune), overriding EOS_CHAT_MODEL. */
  chatModel?: string;
  /** The fine-tuning job being followed, and its progress message. */
  fineTuneJobId?: string;
  fineTuneMessage?: { channelId: string; messageId: string; note?: string };
  /** Where `!train <text>` goes when no kind is named (set by `!select_dataset <name> <kind>`). */
  trainKind?: 'positive' | 'negative';
  /** The model produced by the last successful fine-tuning job. */
  lastFineTunedModel?: string;
}

export interface StateData {
  version: number;
  guilds: Record<string, GuildSettings>;
  channels: Record<string, ChannelSettings>;
  users: Record<string, UserPrefs>;
  training: TrainingSettings;
}

/** A patch: keys set to a value are stored, keys set to undefined are removed (back to the default). */
export type Patch<T> = { [K in keyof T]?: T[K] | undefined };

export function emptyState(): StateData {
  return { version: STATE_VERSION, guilds: {}, channels: {}, users: {}, training: {} };
}

/** Parses unknown JSON into StateData; returns null when it does not fit the shape. */
export function parseState(raw: unknown): StateData | null {
  const result = stateDataSchema.safeParse(raw);
  return result.success ? (result.data) : null;
}

/** Validates the merged entry; throws a RangeError naming the bad key. */
export function checkEntry<T>(schema: z.ZodType<T>, kind: string, value: unknown): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const text = problemsOf(result.error).map((p) => `${kind}.${p.key} ${p.text}`).join('; ');
  throw new RangeError(`Invalid setting: ${text}`);
}
