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
 */
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { MentionNames } from '../conversation/sanitize.js';
import { repairTornTail, toJsonLine } from './jsonl.js';
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

export class ConversationLog {
  /** Lines waiting to be written, per file, in append order. */
  private pending = new Map<string, string[]>();
  private pendingBytes = 0;
  /** Open files, least recently used first (their tails were checked when they were opened). */
  private readonly handles = new Map<string, FileHandle>();
  private readonly maxOpen: number;
  private scheduled: NodeJS.Timeout | NodeJS.Immediate | null = null;
  /** The batch being written (batches run one at a time, so a file's lines stay in order). */
  private writing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBufferBytes: number;

  constructor(private readonly opts: ConversationLogOptions) {
    this.flushMs = Math.max(0, opts.flushMs ?? 0);
    this.maxBufferBytes = Math.max(1, opts.maxBufferBytes ?? 256 * 1024);
    this.maxOpen = Math.max(1, Math.floor(opts.maxOpen ?? 256));
  }

  fileFor(guildId: string | null, channelId: string): string {
    const guild = guildId === null ? 'dm' : checkId(guildId, 'guild id');
    return join(this.opts.root, `${guild}_${checkId(channelId, 'channel id')}.jsonl`);
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
    const text = toJsonLine(line);
    const lines = this.pending.get(file);
    if (lines) lines.push(text);
    else this.pending.set(file, [text]);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= this.maxBufferBytes) void this.flush();
    else this.scheduled ??= this.flushMs > 0 ? setTimeout(() => void this.flush(), this.flushMs) : setImmediate(() => void this.flush());
    return true;
  }

  /** Number of files currently open. */
  openFiles(): number {
    return this.handles.size;
  }

  /** Writes every queued line; resolves once they are in their files. */
  flush(): Promise<void> {
    if (this.scheduled) {
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
    }
    this.scheduled = null;
    // The batch is taken when the previous one is done, so lines queued meanwhile join it.
    this.writing = this.writing.then(() => {
      const batch = this.pending;
      this.pending = new Map();
      this.pendingBytes = 0;
      return this.writeBatch(batch);
    });
    return this.writing;
  }

  /** Flushes and closes every file; a later line reopens its file and checks its tail again. */
  async close(): Promise<void> {
    await this.flush();
    const handles = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  }

  private async writeBatch(batch: Map<string, string[]>): Promise<void> {
    for (const [file, lines] of batch) {
      try {
        const handle = await this.handle(file);
        await handle.writeFile(lines.join('')); // all of it, however many write calls that takes
        if (this.opts.durable) await handle.datasync();
      } catch (err) {
        this.opts.log?.error({ err, file, lines: lines.length }, 'could not write to a conversation log');
        await this.handles.get(file)?.close().catch(() => undefined);
        this.handles.delete(file);
      }
    }
  }

  /** The file's open handle (most recently used now); opening checks the tail and may close the least recent. */
  private async handle(file: string): Promise<FileHandle> {
    let handle = this.handles.get(file);
    if (handle) {
      this.handles.delete(file);
      this.handles.set(file, handle);
      return handle;
    }
    await mkdir(dirname(file), { recursive: true });
    const bytesRemoved = await repairTornTail(file, { now: this.opts.now });
    if (bytesRemoved > 0) this.opts.log?.warn({ file, bytesRemoved }, 'torn JSONL tail repaired');
    handle = await open(file, 'a');
    this.handles.set(file, handle);
    while (this.handles.size > this.maxOpen) {
      const [oldest, h] = this.handles.entries().next().value as [string, FileHandle];
      this.handles.delete(oldest);
      await h.close().catch(() => undefined);
    }
    return handle;
  }
}
