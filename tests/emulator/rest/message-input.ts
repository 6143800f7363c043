/** Reads a create/edit message body (JSON or multipart payload_json + files[n]) the way Discord interprets it. */
import type { EmuContext } from '../context.js';
import { storeUpload } from '../events.js';
import { normalizeEmbeds } from '../objects-message.js';
import type { EmuAttachment, EmuMessage } from '../types.js';
import { errors, invalidForm } from './errors.js';
import type { EmuRequest } from './router.js';

export interface MessageInput {
  content?: string;
  embeds?: unknown[];
  components?: unknown[];
  flags?: number;
  tts?: boolean;
  nonce?: string | number;
  replyTo?: string;
  /** undefined: leave attachments as they are (edits). */
  attachments?: EmuAttachment[];
  repliedUserMention: boolean;
}

type Body = Record<string, unknown>;

const MAX_CONTENT = 2000;

/** Fields Discord fills in on stored components, by component type. */
const COMPONENT_DEFAULTS: Record<number, Body> = {
  3: { min_values: 1, max_values: 1, options: [] },
  5: { min_values: 1, max_values: 1 },
  6: { min_values: 1, max_values: 1 },
  7: { min_values: 1, max_values: 1 },
  8: { min_values: 1, max_values: 1 },
  11: { description: null, spoiler: false },
  14: { spacing: 1, divider: true },
  17: { accent_color: null, spoiler: false },
};

/** Components as Discord stores them: numeric `id`s (depth-first) and defaults filled in. */
function normalizeComponents(components: unknown, counter = { n: 1 }): unknown[] {
  if (!Array.isArray(components)) return [];
  return components.map((c) => {
    if (!c || typeof c !== 'object') return c;
    const obj = c as Body;
    const out: Body = { ...(COMPONENT_DEFAULTS[Number(obj.type)] ?? {}), ...obj, id: obj.id ?? counter.n++ };
    if (Array.isArray(obj.components)) out.components = normalizeComponents(obj.components, counter);
    if (obj.accessory && typeof obj.accessory === 'object') out.accessory = normalizeComponents([obj.accessory], counter)[0];
    return out;
  });
}

function uploads(ctx: EmuContext, req: EmuRequest, channelId: string, meta: Body[]): EmuAttachment[] {
  return req.files.map((f, i) => {
    const index = /\[(\d+)\]/.exec(f.field)?.[1] ?? String(i);
    const m = meta.find((x) => String(x.id) === index);
    const a = storeUpload(ctx, channelId, { ...f, name: typeof m?.filename === 'string' ? m.filename : f.name });
    if (typeof m?.description === 'string') a.description = m.description;
    if (typeof m?.duration_secs === 'number') a.durationSecs = m.duration_secs;
    if (typeof m?.waveform === 'string') a.waveform = m.waveform;
    return a;
  });
}

function attachmentsFor(ctx: EmuContext, req: EmuRequest, channelId: string, existing?: EmuMessage): EmuAttachment[] | undefined {
  const body = (req.body ?? {}) as Body;
  const meta = Array.isArray(body.attachments) ? (body.attachments as Body[]) : undefined;
  const added = uploads(ctx, req, channelId, meta ?? []);
  if (!existing) return added;
  if (!meta && added.length === 0) return undefined;
  const kept = meta ? existing.attachments.filter((a) => meta.some((x) => String(x.id) === a.id)) : existing.attachments;
  return [...kept, ...added];
}

function replyTarget(ctx: EmuContext, body: Body, channelId: string): string | undefined {
  const ref = body.message_reference as Body | null | undefined;
  if (!ref || typeof ref.message_id !== 'string') return undefined;
  const target = ctx.state.message(typeof ref.channel_id === 'string' ? ref.channel_id : channelId, ref.message_id);
  if (target) return target.id;
  if (ref.fail_if_not_exists === false) return undefined;
  throw invalidForm('message_reference', 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', 'Unknown message');
}

export function readMessageInput(ctx: EmuContext, req: EmuRequest, channelId: string, existing?: EmuMessage): MessageInput {
  const body = (req.body ?? {}) as Body;
  if (typeof body !== 'object' || Array.isArray(body))
    throw invalidForm('_root', 'DICT_TYPE_CONVERT', 'Only dictionaries may be used in a DictType');
  const input: MessageInput = {
    attachments: attachmentsFor(ctx, req, channelId, existing),
    repliedUserMention: (body.allowed_mentions as Body | undefined)?.replied_user !== false,
  };
  if (body.content !== undefined && body.content !== null) input.content = String(body.content);
  if (Array.isArray(body.embeds)) input.embeds = normalizeEmbeds(body.embeds);
  if (Array.isArray(body.components)) input.components = normalizeComponents(body.components);
  if (typeof body.flags === 'number') input.flags = body.flags;
  if (typeof body.tts === 'boolean') input.tts = body.tts;
  if (typeof body.nonce === 'string' || typeof body.nonce === 'number') input.nonce = body.nonce;
  if (!existing) input.replyTo = replyTarget(ctx, body, channelId);
  checkLimits(input, existing);
  return input;
}

function checkLimits(input: MessageInput, existing?: EmuMessage): void {
  if ((input.content?.length ?? 0) > MAX_CONTENT) {
    throw invalidForm('content', 'BASE_TYPE_MAX_LENGTH', `Must be ${MAX_CONTENT} or fewer in length.`);
  }
  if ((input.embeds?.length ?? 0) > 10) throw invalidForm('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  const content = input.content ?? existing?.content ?? '';
  const embeds = input.embeds ?? existing?.embeds ?? [];
  const files = input.attachments ?? existing?.attachments ?? [];
  const components = input.components ?? existing?.components ?? [];
  if (content === '' && embeds.length === 0 && files.length === 0 && components.length === 0) throw errors.emptyMessage();
}

/** Applies input to a message record; for edits the old content goes to `edits`. Returns true when content changed. */
export function applyMessageInput(m: EmuMessage, input: MessageInput, isEdit: boolean): boolean {
  const changed = input.content !== undefined && input.content !== m.content;
  if (changed) {
    if (isEdit) m.edits.push(m.content);
    m.content = input.content ?? '';
  }
  if (input.embeds) m.embeds = input.embeds;
  if (input.components) m.components = input.components;
  if (input.attachments) m.attachments = input.attachments;
  if (input.flags !== undefined) {
    // Only SUPPRESS_EMBEDS (4) and IS_COMPONENTS_V2 (32768) can change on an edit.
    m.flags = isEdit ? (m.flags & ~4) | (input.flags & (4 | 32768)) : input.flags;
  }
  if (input.tts !== undefined && !isEdit) m.tts = input.tts;
  if (input.nonce !== undefined && !isEdit) m.nonce = input.nonce;
  return changed;
}
