/** Who runs on a data folder (run file of one process, status files of sharding managers), as the CLI guard reads it. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { claimRunFile, runFilePath, runningBot } from '../../../src/shard/run-file.js';
import { BotRunningError, guardWriter, insideDataDir } from '../../../src/cli/guard.js';
import type { AppConfig } from '../../../src/config.js';

let dir: string;
beforeEach(async () => void (dir = await mkdtemp(path.join(tmpdir(), 'eos-runfile-'))));
afterEach(async () => rm(dir, { recursive: true, force: true }));

async function status(name: string, body: object): Promise<void> {
  await mkdir(path.join(dir, 'shards'), { recursive: true });
  await writeFile(path.join(dir, 'shards', `status-${name}.json`), JSON.stringify(body));
}

describe('runningBot', () => {
  test('nothing: null', async () => {
    expect(await runningBot(dir)).toBeNull();
  });

  test("one process's run file counts while its pid lives, and is removed at release", async () => {
    const release = await claimRunFile(dir, 'discord');
    expect(JSON.parse(await readFile(runFilePath(dir), 'utf8'))).toMatchObject({ pid: process.pid, mode: 'discord' });
    expect(await runningBot(dir)).toMatch(new RegExp(`Eos \\(discord, pid ${process.pid} on `));
    expect(await runningBot(dir, { alive: () => false })).toBeNull(); // a SIGKILLed bot's stale file
    await release();
    expect(await runningBot(dir)).toBeNull();
  });

  test('a run file of another host counts (no pid to check there)', async () => {
    await claimRunFile(dir, 'console');
    expect(await runningBot(dir, { host: 'elsewhere', alive: () => false })).toMatch(/Eos \(console/);
  });

  test("a sharding manager's status file: starting or running with a live pid on this host; stopped never", async () => {
    await status('h', { host: 'h', managerPid: 4242, state: 'starting', updatedAt: new Date().toISOString() });
    expect(await runningBot(dir, { host: 'h', alive: (p) => p === 4242 })).toBe('the sharding manager (pid 4242 on h, starting)');
    expect(await runningBot(dir, { host: 'h', alive: () => false })).toBeNull();
    await status('h', { host: 'h', managerPid: 4242, state: 'stopped', updatedAt: new Date().toISOString() });
    expect(await runningBot(dir, { host: 'h', alive: () => true })).toBeNull();
  });

  test('another host’s manager counts while its status file is fresh', async () => {
    const now = Date.parse('2026-12-06T09:00:00Z');
    await status('b-shards-1', { host: 'b', managerPid: 7, state: 'running', updatedAt: '2026-12-06T08:59:50Z' });
    expect(await runningBot(dir, { host: 'a', now })).toMatch(/pid 7 on b, running/);
    expect(await runningBot(dir, { host: 'a', now: now + 120_000 })).toBeNull();
  });
});

describe('guardWriter (CLI)', () => {
  const config = () => ({ dataDir: dir }) as AppConfig;

  test('a writing command is refused while a bot runs; a read-only one opens read-only', async () => {
    const release = await claimRunFile(dir, 'discord');
    await expect(guardWriter(config(), 'a zip under archives/')).rejects.toThrow(BotRunningError);
    await expect(guardWriter(config(), 'a zip under archives/')).rejects.toThrow(/refused: Eos \(discord.*writes a zip under archives\//);
    expect(await guardWriter(config(), null)).toBe(true);
    expect(await guardWriter(config(), (c) => (insideDataDir(c, '/elsewhere/out.jsonl') ? 'x' : null))).toBe(true);
    await expect(guardWriter(config(), (c) => (insideDataDir(c, path.join(dir, 'd.jsonl')) ? 'd.jsonl' : null))).rejects.toThrow(
      /d\.jsonl/,
    );
    await release();
    expect(await guardWriter(config(), 'a zip under archives/')).toBe(false);
  });

  test('insideDataDir', () => {
    expect(insideDataDir(config(), path.join(dir, 'a', 'b'))).toBe(true);
    expect(insideDataDir(config(), dir)).toBe(true);
    expect(insideDataDir(config(), path.join(dir, '..', 'x'))).toBe(false);
  });
});
