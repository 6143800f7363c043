/**
 * Raw conversation log: every message Eos sees or sends, one JSONL file per channel,
 * `<root>/<guildId or 'dm'>_<channelId>.jsonl`, lines `{role, content, timestamp, name?}` (name = the
 * speaker's display name, user lines only; contents through toDatasetText, never user IDs).
 * Appends are crash-safe (JsonlAppender); at most `maxOpen` files are kept open (least recently
 * used ones are closed).
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MentionNames } from '../conversation/sanitize.js';
import { JsonlAppender } from './jsonl.js';
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
  /** Most files kept open at once (default 16). */
  maxOpen?: number;
  durable?: boolean;
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
  private readonly appenders = new Map<string, JsonlAppender>();
  /** Recently used appenders, least recent first. */
  private readonly recent = new Map<string, JsonlAppender>();
  private readonly maxOpen: number;

  constructor(private readonly opts: ConversationLogOptions) {
    this.maxOpen = Math.max(1, Math.floor(opts.maxOpen ?? 16));
  }

  fileFor(guildId: string | null, channelId: string): string {
    const guild = guildId === null ? 'dm' : checkId(guildId, 'guild id');
    return join(this.opts.root, `${guild}_${checkId(channelId, 'channel id')}.jsonl`);
  }

  /** Appends one line; resolves once written. Returns false (nothing written) for an empty message. */
  async append(entry: ConversationLogEntry): Promise<boolean> {
    const file = this.fileFor(entry.guildId, entry.channelId);
    if (typeof entry.timestamp !== 'string' || entry.timestamp === '') throw new TypeError('timestamp must be a string');
    const speaker = entry.role === 'user' ? entry.speaker : undefined;
    const message = sanitizeMessage({ role: entry.role, content: entry.content, name: speaker }, this.opts.names, 'entry');
    if (message.role === 'system') throw new TypeError('role must be user or assistant');
    if (message.content === '') return false;
    const line: ConversationLogLine = { role: message.role, content: message.content, timestamp: entry.timestamp };
    if (message.name) line.name = message.name;
    await this.use(file).append(line);
    return true;
  }

  /** Number of files currently open. */
  openFiles(): number {
    let n = 0;
    for (const a of this.appenders.values()) if (a.isOpen) n += 1;
    return n;
  }

  async flush(): Promise<void> {
    await Promise.all([...this.appenders.values()].map((a) => a.flush().catch(() => undefined)));
  }

  async close(): Promise<void> {
    await Promise.all([...this.appenders.values()].map((a) => a.close().catch(() => undefined)));
    this.appenders.clear();
    this.recent.clear();
  }

  private use(file: string): JsonlAppender {
    let appender = this.appenders.get(file);
    if (!appender) {
      appender = new JsonlAppender(file, {
        durable: this.opts.durable,
        now: this.opts.now,
        onRepair: (path, bytesRemoved) => this.opts.log?.warn({ file: path, bytesRemoved }, 'torn JSONL tail repaired'),
      });
      this.appenders.set(file, appender);
    }
    this.recent.delete(file);
    this.recent.set(file, appender);
    while (this.recent.size > this.maxOpen) this.evictOldest();
    return appender;
  }

  /** Closes the least recently used file after its queued writes; forgets it when it stays unused. */
  private evictOldest(): void {
    const oldest = this.recent.keys().next();
    if (oldest.done) return;
    const file = oldest.value;
    const appender = this.recent.get(file) as JsonlAppender;
    this.recent.delete(file);
    appender
      .close()
      .then(() => {
        if (appender.idle && !this.recent.has(file) && this.appenders.get(file) === appender) this.appenders.delete(file);
      })
      .catch((err: unknown) => this.opts.log?.error({ err, file }, 'could not close a conversation log'));
  }
}
