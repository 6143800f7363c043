import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { KeyedHash } from './secret.js';

export interface AuditEntry {
  at: string;
  /** Display name at the time of the action. */
  who: string;
  /** Keyed hash of the user ID (the same person always has the same value in a server's log). */
  whoKey: string;
  action: string;
}

const SAFE = /^[0-9A-Za-z_-]{1,64}$/;

/**
 * Per-server audit log of privileged actions: `<dataDir>/audit/<guildId>.jsonl` (`dm.jsonl` for DMs
 * and the console), one JSON line per action, appended whole. No user IDs: who = display name + keyed hash.
 */
export class AuditLog {
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly hash: KeyedHash,
    private readonly now: () => Date = () => new Date(),
  ) {}

  fileFor(guildId: string | null): string {
    const name = guildId && SAFE.test(guildId) ? guildId : 'dm';
    return path.join(this.dir, `${name}.jsonl`);
  }

  append(e: { guildId: string | null; userId: string; displayName: string; action: string }): Promise<void> {
    const entry: AuditEntry = {
      at: this.now().toISOString(),
      who: e.displayName.replace(/[\r\n]/g, ' ').slice(0, 64),
      whoKey: this.hash('audit', e.guildId ?? 'dm', e.userId),
      action: e.action.replace(/[\r\n]/g, ' ').slice(0, 300),
    };
    const file = this.fileFor(e.guildId);
    const job = this.queue.then(async () => {
      await mkdir(this.dir, { recursive: true });
      await appendFile(file, `${JSON.stringify(entry)}\n`);
    });
    this.queue = job.catch(() => undefined);
    return job;
  }

  /** The last `n` entries of a server's log, oldest first. */
  async recent(guildId: string | null, n: number): Promise<AuditEntry[]> {
    await this.queue;
    const text = await readFile(this.fileFor(guildId), 'utf8').catch(() => '');
    const out: AuditEntry[] = [];
    for (const line of text.split('\n').slice(-(n + 1))) {
      try {
        if (line.trim()) out.push(JSON.parse(line) as AuditEntry);
      } catch {
        // a torn last line (crash mid-append) is skipped
      }
    }
    return out.slice(-n);
  }
}
