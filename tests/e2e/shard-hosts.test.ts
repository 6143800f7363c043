/**
 * Two "hosts" (two managers on one data folder, as with a network mount): host A runs shard 0 (EOS_SHARD_IDS=0),
 * host B shard 1 of 2. Each answers its own servers; global settings are written only by host A's manager (host B
 * refuses to change them and picks up A's changes); no file is written by two processes.
 */
import { appendFile, mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mention } from './harness.js';
import { keyedHasher, loadOrCreateSecret } from '../../src/privacy/secret.js';
import { guildDataFiles } from '../../src/tenancy/layout.js';
import {
  buildDist,
  ownershipProblems,
  readJournal,
  startShardWorld,
  startSharded,
  until,
  type EosRun,
  type ShardWorld,
} from './shard-harness.js';

let w: ShardWorld;
let hostA: EosRun;
let hostB: EosRun;

beforeAll(async () => {
  buildDist();
  w = await startShardWorld({ shards: 2 });
  w.llm.respondWith((req) => ({ text: `re: ${JSON.stringify(req.messages.at(-1)?.content ?? '').slice(0, 40)}`, chunkSize: 4096 }));
  hostA = await startSharded(w, { EOS_SHARDS: '2', EOS_SHARD_IDS: '0' });
  hostB = await startSharded(w, { EOS_SHARDS: '2', EOS_SHARD_IDS: '1' });
  await w.emu.waitFor(() => w.emu.connected(0) && w.emu.connected(1), { label: 'shards 0 and 1 from two managers', timeoutMs: 180_000 });
}, 240_000);

afterAll(async () => {
  for (const r of [hostA, hostB]) if (r && r.proc.exitCode === null) await r.stop();
  await w?.close();
});

async function command(i: number, content: string, re: RegExp, userId = w.alice.id): Promise<string> {
  const channelId = w.general[i]!.id;
  const msg = w.emu.userSays({ channelId, userId, content });
  return (
    await w.emu.waitFor(() => w.emu.botMessages(channelId).find((m) => m.replyTo === msg.id && re.test(m.content)), {
      label: `${content} -> ${re}`,
      timeoutMs: 30_000,
    })
  ).content;
}

/** Waits for host B's manager (shard 1 only) to write its status file after `iso`; returns that write's time. */
async function hostBStatusAfter(iso: string): Promise<string> {
  const dir = path.join(w.dataDir, 'shards');
  return until(
    async () => {
      const name = (await readdir(dir).catch(() => [] as string[])).find((f) => f.startsWith('status-') && f.endsWith('-shards-1.json'));
      if (!name) return null;
      const { updatedAt } = JSON.parse(await readFile(path.join(dir, name), 'utf8').catch(() => '{}')) as { updatedAt?: string };
      return updatedAt !== undefined && updatedAt > iso ? updatedAt : null;
    },
    "host B's next status tick",
    15_000,
  );
}

describe('shards of one bot on two hosts', () => {
  test('each host answers the servers of its shard', async () => {
    for (const i of [0, 1]) {
      w.emu.userSays({ channelId: w.general[i]!.id, userId: w.alice.id, content: mention(w.emu.botUser.id, `host check ${i}`) });
      await w.emu.waitFor(() => w.emu.botMessages(w.general[i]!.id).find((m) => m.content.includes(`host check ${i}`)), {
        label: `reply ${i}`,
        timeoutMs: 30_000,
      });
    }
    expect(w.emu.shardMisroutes).toEqual([]);
  }, 60_000);

  test("global settings: refused on host B, set on host A, and host B's shard then uses them", async () => {
    // A clear reply saying where to change it (not the router's generic "something went wrong").
    const refused = await command(1, '!replyprefix [B]', /./);
    expect(refused).not.toContain('[B]');
    expect(refused).toMatch(/host running shard 0/);
    expect(await command(0, '!replyprefix [A]', /start with/)).toContain('[A]');
    // Host B's manager re-reads the global file at each status tick (every 10 s), the tick that also rewrites its
    // status file: ask again after each of its status writes (no fixed wait), at most 4 ticks.
    let after = new Date().toISOString();
    let r = '';
    for (let tick = 0; tick < 4 && !r.includes('[A]'); tick++) {
      after = await hostBStatusAfter(after);
      r = await command(1, '!replyprefix', /reply prefix/);
    }
    expect(r).toContain('[A]');
  }, 90_000);

  test("the owners' fine-tuning job cannot be started on host B (shard 0, its follower, is on host A): refused before any upload", async () => {
    const uploads = w.llm.fineTuning.files.size;
    expect(await command(1, '!train start', /./, w.owner.id)).toBe(
      "Shard 0, which follows the bot owners' fine-tuning job, runs on another host: use a DM or a server of shard 0 for it.",
    );
    expect(w.llm.fineTuning.files.size).toBe(uploads);
  }, 60_000);

  test('both stop cleanly; each manager has its own status file and no file had two writers', async () => {
    expect(await hostB.stop()).toBe(0);
    expect(await hostA.stop()).toBe(0);
    const status = (await readdir(path.join(w.dataDir, 'shards'))).filter((f) => f.startsWith('status-')).sort();
    expect(status).toHaveLength(2);
    const journal = [...(await readJournal(hostA.journalDir)), ...(await readJournal(hostB.journalDir))];
    expect(ownershipProblems(journal, w.dataDir, 2)).toEqual([]);
    const globalWriters = new Set(journal.filter((e) => path.relative(w.dataDir, e.path).startsWith('state/eos.json')).map((e) => e.role));
    expect([...globalWriters]).toEqual(['manager-0']);
  }, 60_000);

  test('!forget me on host B while shard 0 runs nowhere: old shared entries hidden at once, the reply says their removal is pending, shard 0 removes them at its next start', async () => {
    // What an Eos from before sharding left for Alice in guild 1 (shard 1): a reply holding her words in the shared
    // journal, and her index entries in the shared index (keyed hashes, made with the data folder's privacy key).
    const g1 = w.guilds[1]!.id;
    const hash = keyedHasher(await loadOrCreateSecret(path.join(w.dataDir, 'state', 'privacy.key'), { create: false }));
    const words = 'PENDING-SECRET words from before sharding';
    const shared = path.join(w.dataDir, 'state', 'candidates.jsonl');
    const sharedIndex = path.join(w.dataDir, 'state', 'privacy', 'contributions.jsonl');
    const old = {
      messageId: '900000000000000001',
      channelId: w.general[1]!.id,
      context: [{ role: 'user', content: words }],
      reply: 'an old reply',
      at: new Date(0).toISOString(),
    };
    await mkdir(path.dirname(sharedIndex), { recursive: true });
    await appendFile(shared, `${JSON.stringify({ op: 'add', candidate: old })}\n`);
    const aliceKey = hash('contributor', g1, w.alice.id);
    await appendFile(sharedIndex, `${JSON.stringify({ u: aliceKey, t: hash('text', words) })}\n`);
    hostB = await startSharded(w, { EOS_SHARDS: '2', EOS_SHARD_IDS: '1' });
    await w.emu.waitFor(() => w.emu.connected(1), { label: 'host B again', timeoutMs: 120_000 });
    const reply = await command(1, '!forget me', /stored|nothing/);
    expect(reply).toMatch(/did not answer, it removes them at its next start/);
    expect(await readFile(guildDataFiles(w.dataDir, g1).candidates, 'utf8')).toContain(`{"op":"take","messageId":"${old.messageId}"}`);
    expect(await readFile(shared, 'utf8')).toContain(words); // only shard 0 writes it
    hostA = await startSharded(w, { EOS_SHARDS: '2', EOS_SHARD_IDS: '0' });
    await until(
      async () => !(await readFile(shared, 'utf8')).includes(words),
      'shard 0 removing the old reply from the shared journal',
      120_000,
    );
    await until(
      async () => !(await readFile(sharedIndex, 'utf8')).includes(aliceKey),
      "shard 0 removing Alice's old shared index entries",
      30_000,
    );
    expect(await hostB.stop()).toBe(0);
    expect(await hostA.stop()).toBe(0);
    const journal = [...(await readJournal(hostA.journalDir)), ...(await readJournal(hostB.journalDir))];
    expect(ownershipProblems(journal, w.dataDir, 2)).toEqual([]);
  }, 240_000);
});
