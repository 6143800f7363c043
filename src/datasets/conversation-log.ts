/**
 * Raw conversation log: every message Eos sees or sends, one JSONL file per channel,
 * `<root>/<guildId or 'dm'>_<channelId>.jsonl`, lines `{role, content, timestamp, name?}` (name = the
 * speaker's display name, user lines only; contents through sanitizeMessage, never user IDs).
 *
 * Durability rule (conversation logs only; datasets keep "an acknowledged record survives SIGKILL"):
 * append() queues the line in memory and resolves at once; lines are written in batches (group commit):
 * a batch starts on the next turn of the event loop, or as soon as the batch before it is written, so the
 * busier the bot, the more lines share one write per file. `flushMs` > 0 instead waits that long to
 * gather a batch (fewer, larger writes). flush() / close() write everything queued (Eos closes the log on
 * shutdown, SIGINT/SIGTERM included). A SIGKILL or power loss loses the queued lines and the batch in
 * flight (at most a few milliseconds' worth with the default); it never tears a line: each batch is whole
 * lines in one write, and a torn tail left by a crash is cut off (and kept aside) before a file's first
 * batch. Files stay open between batches (at most `maxOpen`, least recently used closed first), and a file's
 * tail is checked once, when it is first opened, so a busy channel costs one write per batch and nothing else.
 * (The batching is src/datasets/batched-writer.ts, shared with the privacy contribution index.)
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MentionNames } from '../conversation/sanitize.js';
import { BatchedWriter } from './batched-writer.js';
import { toJsonLine } from './jsonl.js';
import { sanitizeMessage } from './records.js';

export interface ConversationLogEntry {
  guildId: string | null;
  channelId: string;
  role: 'user' | 'assistant';
  content: string;
  /** ISO 8601 time of the message. */
  timestamp: string;
  /** Display name of the speaker (user lines only; never an ID). */
  speaker?: string;
}

export interface ConversationLogLine {
  role: 'user' | 'assistant';
  content: string;
  timestamp: string;
  name?: string;
}

export interface ConversationLogOptions {
  /** `<dataDir>/conversations` */
  root: string;
  /** Most files kept open between batches (default 256; least recently used closed first). */
  maxOpen?: number;
  /** fsync each batch (default false). */
  durable?: boolean;
  /** Time to gather a batch before writing it; 0 (default) = group commit, see above. */
  flushMs?: number;
  /** Pending bytes (all files) that trigger a write at once (default 256 KiB). */
  maxBufferBytes?: number;
  names?: MentionNames;
  log?: Logger;
  now?: () => Date;
}

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

function checkId(id: string, what: string): string {
  if (typeof id !== 'string' || !SAFE_ID.test(id)) throw new TypeError(`Invalid ${what}: ${JSON.stringify(id)}`);
  return id;
}

/** Checked ids → file path, so a busy channel's lines skip the id checks and path joins (cleared when full). */
const MAX_CACHED_PATHS = 10_000;

export class ConversationLog {
  private readonly writer: BatchedWriter;
  private readonly files = new Map<string, string>();

  constructor(private readonly opts: ConversationLogOptions) {
    this.writer = new BatchedWriter({
      maxOpen: opts.maxOpen, durable: opts.durable, flushMs: opts.flushMs, maxBufferBytes: opts.maxBufferBytes, log: opts.log, now: opts.now,
    });
  }

  fileFor(guildId: string | null, channelId: string): string {
    const key = `${guildId ?? ''}\u0000${channelId}`;
    let file = this.files.get(key);
    if (file === undefined) {
      const guild = guildId === null ? 'dm' : checkId(guildId, 'guild id');
      file = join(this.opts.root, `${guild}_${checkId(channelId, 'channel id')}.jsonl`);
      if (this.files.size >= MAX_CACHED_PATHS) this.files.clear();
      this.files.set(key, file);
    }
    return file;
  }

  /**
   * Queues one line (sanitized now; written within flushMs, see the durability rule above). Resolves true once
   * queued, false (nothing queued) for an empty message; throws TypeError for an unusable id, role or timestamp.
   */
  async append(entry: ConversationLogEntry): Promise<boolean> {
    const file = this.fileFor(entry.guildId, entry.channelId);
    if (typeof entry.timestamp !== 'string' || entry.timestamp === '') throw new TypeError('timestamp must be a string');
    const speaker = entry.role === 'user' ? entry.speaker : undefined;
    const message = sanitizeMessage({ role: entry.role, content: entry.content, name: speaker }, this.opts.names, 'entry');
    if (message.role === 'system') throw new TypeError('role must be user or assistant');
    if (message.content === '') return false;
    const line: ConversationLogLine = { role: message.role, content: message.content, timestamp: entry.timestamp };
    if (message.name) line.name = message.name;
    this.writer.write(file, toJsonLine(line));
    return true;
  }

  /** Number of files currently open. */
  openFiles(): number {
    return this.writer.openFiles();
  }

  /** Writes every queued line; resolves once they are in their files. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /** Flushes and closes every file; a later line reopens its file and checks its tail again. */
  close(): Promise<void> {
    return this.writer.close();
  }
}
