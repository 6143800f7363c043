/**
 * Zod schema of the behaviour config file (eos.config.json). Every field has a default,
 * unknown keys are rejected. Pure: no I/O, no env access.
 */
import { z } from 'zod';

export const DEFAULT_SYSTEM_PROMPT =
  'You are {bot_name}, a friendly and concise member of the Discord server {server}, ' +
  'chatting in #{channel}. You are talking with {user_name}. The current time is {time}. ' +
  'Reply naturally, like a person in a group chat: short messages, no lists unless asked, ' +
  'and never pretend to be someone else.';

const id = z.string().trim().min(1);
const ids = z.array(id).prefault([]);
const userRoleSet = z.strictObject({ users: ids, roles: ids }).prefault({});
const probability = z.number().min(0).max(1);
const nonNegInt = z.number().int().min(0);
const posInt = z.number().int().min(1);

export const conversationSchema = z
  .strictObject({
    /** Messages of channel history kept in memory per channel. */
    historyMax: posInt.max(1000).default(50),
    /** History older than this is forgotten (0 = never). */
    historyTtlHours: z.number().min(0).default(24),
    /** Messages fetched from Discord to seed history after a restart (0 = none). */
    backfill: nonNegInt.max(100).default(20),
    /** Case-insensitive words that make Eos reply (besides mentions, replies and DMs). */
    triggerWords: z.array(z.string().trim().min(1)).default(['eos']),
    /** Chance (0..1) of replying to an ordinary message without a trigger. */
    replyProbability: probability.default(0),
    /** Reply to every Nth message in a channel (0 = off). */
    replyEveryN: nonNegInt.default(0),
    /** LLM sampling temperature 0..2. */
    temperature: z.number().min(0).max(2).default(0.7),
    /** Chance (0..1) of adding an emoji reaction to a message. */
    reactionProbability: probability.default(0),
    /** System prompt template; placeholders {bot_name} {user_name} {server} {channel} {time}. */
    systemPrompt: z.string().trim().min(1).default(DEFAULT_SYSTEM_PROMPT),
    /** Append short notes about the channel's writing style to the system prompt. */
    styleNotes: z.boolean().default(true),
    /** Minimum time between edits of a streamed reply (Discord rate limits, >= 250). */
    streamEditIntervalMs: z.number().int().min(250).default(1000),
    /** Max tokens the LLM may generate per reply. */
    maxReplyTokens: posInt.max(32768).default(1024),
    /** Max pending reply jobs; more are dropped. */
    maxQueue: posInt.default(100),
    /** Max replies generated at the same time. */
    maxConcurrent: posInt.max(64).default(2),
    /** Retry once with a nudge when the model refuses. */
    refusalRetry: z.boolean().default(true),
    /** Give up on a reply after this long. */
    replyTimeoutMs: posInt.default(90_000),
    /** Put 👍 / 👎 buttons under each reply (feedback goes to the datasets). */
    feedbackButtons: z.boolean().default(true),
    /** Reasoning blocks (<think>…</think>, <thinking>, <reasoning>) of thinking models: shown to users (as a quote) / kept in training records. */
    reasoning: z.strictObject({ show: z.boolean().default(false), train: z.boolean().default(false) }).prefault({}),
    /** LLM calls (replies and reactions) allowed per user in any `perSeconds` window; count 0 = no limit. */
    userRateLimit: z
      .strictObject({ count: nonNegInt.max(10_000).default(6), perSeconds: z.number().min(1).max(86_400).default(60) })
      .prefault({}),
  })
  .prefault({});

export const trainingSchema = z
  .strictObject({
    /** Fine-tuning backend of `!train start`: 'openai' (OpenAI, Azure OpenAI, compatible servers), 'together' (Together AI), 'local' (your trainer command). */
    backend: z.enum(['openai', 'together', 'local']).default('openai'),
    /** Base model to fine-tune; empty = the backend's default (openai: gpt-4.1-mini-2025-04-14, together: meta-llama/Meta-Llama-3.1-8B-Instruct-Reference; local: required). */
    baseModel: z.string().trim().max(200).default(''),
    /** Passes over the training data. */
    epochs: posInt.max(50).default(3),
    /** Share of examples held out as the validation file (0..0.5; 0 = none). */
    validationSplit: z.number().min(0).max(0.5).default(0.1),
    /** US dollars per 1M trained tokens for the cost estimate (null = the published price where Eos knows it). */
    pricePerMillionTokens: z.number().min(0).nullable().default(null),
    /** Longest example in tokens (null = the backend's: openai 65536, together 8192, local 4096); longer ones are left out. */
    contextTokens: posInt.nullable().default(null),
    /** OpenAI-compatible endpoint for fine-tuning ('' = OPENAI_BASE_URL); Azure: https://<resource>.openai.azure.com/openai/v1 with authHeader 'api-key'. Key: EOS_FINETUNE_API_KEY, else OPENAI_API_KEY. */
    openai: z
      .strictObject({
        baseURL: z.string().trim().default(''),
        apiVersion: z.string().trim().default(''),
        authHeader: z.enum(['bearer', 'api-key']).default('bearer'),
      })
      .prefault({}),
    /** Together AI endpoint; key: TOGETHER_API_KEY. */
    together: z.strictObject({ baseURL: z.string().trim().min(1).default('https://api.together.ai/v1') }).prefault({}),
    /** Local trainer: argv run for each job (placeholders {train_file} {validation_file} {output_dir} {base_model} {method} {epochs} {job_id} {served_model}), the file format it reads, the model name it is served under, and whether Eos switches to it on success. */
    local: z
      .strictObject({
        command: z.array(z.string()).default([]),
        format: z.enum(['trl', 'trl-completion', 'sharegpt', 'openai']).default('trl-completion'),
        servedModel: z.string().trim().min(1).default('eos-{job_id}'),
        switchOnSuccess: z.boolean().default(true),
      })
      .prefault({}),
    /** Seconds between progress checks of a fine-tuning job (>= 0.1). */
    followIntervalSec: z.number().min(0.1).default(30),
    /** Cases run at the same time by `!test`. */
    testConcurrency: posInt.max(16).default(2),
    /** Stored examples given to the model as few-shot examples (0 = off). */
    fewShot: nonNegInt.max(10).default(3),
    /** Model that grades `judge` assertions in `!test` (empty = the chat model). */
    judgeModel: z.string().trim().max(200).default(''),
    /** Embeddings model for few-shot retrieval and `similar` checks when the endpoint has /embeddings ('off' = words only). */
    embeddingsModel: z.string().trim().min(1).max(200).default('text-embedding-3-small'),
    /** How `!test` sends cases: 'chat' (system prompt and few-shot, as users get) or 'raw' (the case alone); `--raw`/`--chat` override. */
    testMode: z.enum(['chat', 'raw']).default('chat'),
    /** Personal data replaced by placeholders in datasets, candidates and conversation logs: user IDs "[id]", e-mails "[email]", phone numbers "[phone]", API keys/tokens "[key]". */
    redact: z
      .strictObject({
        ids: z.boolean().default(true),
        emails: z.boolean().default(true),
        phones: z.boolean().default(true),
        keys: z.boolean().default(true),
      })
      .prefault({}),
    /** Let server admins start/cancel fine-tuning and switch models (default: bot owners only; it costs money). */
    fineTuneByServerAdmins: z.boolean().default(false),
  })
  .prefault({});

export const voiceSchema = z
  .strictObject({
    /** Silence that ends an utterance, in ms. */
    silenceMs: z.number().int().min(200).max(5000).default(700),
    /** Longest utterance before it is cut, in ms. */
    maxUtteranceMs: z.number().int().min(1000).max(60_000).default(15_000),
    /** Leave the voice channel after being alone this long (seconds). */
    aloneTimeoutSec: z.number().min(1).default(60),
    /** Post transcripts and spoken replies to the linked text channel. */
    postTranscripts: z.boolean().default(true),
    /** Answer voice messages with a voice message. */
    voiceMessageReplies: z.boolean().default(false),
    /** Also speak the answers to text messages in the linked text channel while in voice. */
    speakTextReplies: z.boolean().default(false),
  })
  .prefault({});

export const presenceSchema = z
  .strictObject({
    /** Status lines rotated in order; placeholders such as {channels} and {prefix}. */
    rotate: z.array(z.string().trim().min(1).max(128)).default(['Listening to {channels} channels', 'Type {prefix}help']),
    /** Seconds between presence changes (>= 15). */
    intervalSec: z.number().int().min(15).default(60),
  })
  .prefault({});

export const slashSchema = z
  .strictObject({
    /** Register slash commands at startup. */
    register: z.boolean().default(true),
    /** Register in these guilds only (instant); empty = globally. */
    guildIds: ids,
  })
  .prefault({});

export const behaviourSchema = z.strictObject({
  /** Bot display name used in prompts and help. */
  name: z.string().trim().min(1).max(32).default('Eos'),
  /** Default text-command prefix (guilds can override it via state). */
  prefix: z.string().trim().min(1).max(8).default('!'),
  /** Owner user IDs: full control (merged with EOS_OWNER_IDS). */
  owners: ids,
  /** Bot admins besides owners and guild admins. */
  admins: userRoleSet,
  /** If non-empty, only these users/roles may use Eos. */
  allow: userRoleSet,
  /** These users/roles are ignored (wins over allow). */
  block: userRoleSet,
  /** If non-empty, Eos only listens in these channel IDs. */
  allowedChannels: ids,
  conversation: conversationSchema,
  presence: presenceSchema,
  slash: slashSchema,
  training: trainingSchema,
  voice: voiceSchema,
  /**
   * Each server owns its datasets, active dataset, `!train` kind, ratings, few-shot examples, evaluations and
   * archives (guilds/<id>/…); off = one shared set that only bot owners may download or switch.
   */
  perServerData: z.boolean().default(true),
  /** Consent: servers record conversations into logs only once their admins turn it on (`!recording on`). */
  privacy: z
    .strictObject({
      /** Record in every server from the start (a notice is still posted in each channel). */
      recordByDefault: z.boolean().default(false),
    })
    .prefault({}),
});

export type BehaviourConfig = z.output<typeof behaviourSchema>;
export type ConversationConfig = BehaviourConfig['conversation'];
export type PresenceConfig = BehaviourConfig['presence'];
export type SlashConfig = BehaviourConfig['slash'];
export type TrainingConfig = BehaviourConfig['training'];
export type VoiceBehaviour = BehaviourConfig['voice'];
export type UserRoleSet = BehaviourConfig['allow'];
