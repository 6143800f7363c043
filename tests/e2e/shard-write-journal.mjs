/**
 * Test preload (`node --import ./tests/e2e/shard-write-journal.mjs`): every file this process opens
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
  // Several managers (hosts) on one data folder are told apart by the shard IDs they run.
  const role =
    process.env.SHARDS !== undefined
      ? `shard-${process.env.SHARDS}`
      : process.env.EOS_SHARD_IDS
        ? `manager-${process.env.EOS_SHARD_IDS}`
        : 'manager';
  const journal = path.join(dir, `${process.pid}.jsonl`);
  const append = fs.appendFileSync.bind(fs);
  const seen = new Set();
  const note = (target) => {
    if (typeof target !== 'string' && !(target instanceof URL)) return;
    const file = path.resolve(target instanceof URL ? target.pathname : target);
    if (seen.has(file)) return;
    seen.add(file);
    append(journal, `${JSON.stringify({ role, pid: process.pid, path: file })}\n`);
  };
  const writes = (flags) =>
    typeof flags === 'number'
      ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR)) !== 0
      : typeof flags === 'string' && /[wa+]/.test(flags);
  const wrap = (obj, name, pick) => {
    const orig = obj[name];
    if (typeof orig !== 'function') return;
    obj[name] = function (...args) {
      note(pick(args));
      return orig.apply(this, args);
    };
  };
  const target = (i) => (args) => args[i];
  const onWriteFlags = (flagIndex) => (args) => (writes(args[flagIndex]) ? args[0] : undefined);
  const streamFlags = (args) => {
    const o = args[1];
    const flags = typeof o === 'object' && o !== null && 'flags' in o ? o.flags : 'w';
    return writes(flags) ? args[0] : undefined;
  };
  const sync = fs;
  const prom = fs.promises;
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
