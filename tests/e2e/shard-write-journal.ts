/**
 * Test preload (`node --import tsx --import ./tests/e2e/shard-write-journal.ts`): every file this process opens
 * for writing (open with w/a/+, writeFile, appendFile, createWriteStream, rename/copy targets, mkdir excluded) is
 * appended once to `$EOS_WRITE_JOURNAL/<pid>.jsonl` as {role, pid, path}. role = `shard-<SHARDS>` inside a shard
 * process (discord.js sets SHARDS), else `manager`. The sharding tests then assert that no file was written by two
 * roles and that guilds/<gid>/** was written only by gid's shard. Only the main thread is journaled.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';

const dir = process.env.EOS_WRITE_JOURNAL;
if (dir) {
  const role = process.env.SHARDS !== undefined ? `shard-${process.env.SHARDS}` : 'manager';
  const journal = path.join(dir, `${process.pid}.jsonl`);
  const append = fs.appendFileSync.bind(fs);
  const seen = new Set<string>();
  const note = (target: unknown): void => {
    if (typeof target !== 'string' && !(target instanceof URL)) return;
    const file = path.resolve(target instanceof URL ? target.pathname : target);
    if (seen.has(file)) return;
    seen.add(file);
    append(journal, `${JSON.stringify({ role, pid: process.pid, path: file })}\n`);
  };
  const writes = (flags: unknown): boolean => typeof flags === 'number' ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0 : typeof flags === 'string' && /[wa+]/.test(flags);
  type Fn = (...args: unknown[]) => unknown;
  const wrap = (obj: Record<string, unknown>, name: string, pick: (args: unknown[]) => unknown) => {
    const orig = obj[name] as Fn;
    if (typeof orig !== 'function') return;
    obj[name] = function (this: unknown, ...args: unknown[]) {
      note(pick(args));
      return orig.apply(this, args);
    };
  };
  const target = (i: number) => (args: unknown[]) => args[i];
  const onWriteFlags = (flagIndex: number) => (args: unknown[]) => (writes(args[flagIndex]) ? args[0] : undefined);
  const streamFlags = (args: unknown[]) => {
    const o = args[1];
    const flags = typeof o === 'object' && o !== null && 'flags' in o ? (o as { flags: unknown }).flags : 'w';
    return writes(flags) ? args[0] : undefined;
  };
  const sync = fs as unknown as Record<string, unknown>;
  const prom = fs.promises as unknown as Record<string, unknown>;
  for (const obj of [sync, prom]) {
    wrap(obj, 'writeFile', target(0));
    wrap(obj, 'appendFile', target(0));
    wrap(obj, 'rename', target(1));
    wrap(obj, 'copyFile', target(1));
    wrap(obj, 'open', onWriteFlags(1));
  }
  for (const name of ['writeFileSync', 'appendFileSync']) wrap(sync, name, target(0));
  wrap(sync, 'renameSync', target(1));
  wrap(sync, 'copyFileSync', target(1));
  wrap(sync, 'openSync', onWriteFlags(1));
  wrap(sync, 'createWriteStream', streamFlags);
  syncBuiltinESMExports();
}
