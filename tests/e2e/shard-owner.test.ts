/**
 * Owner commands that span servers, with Eos under discord.js's ShardingManager (2 shards, one process each):
 * `!datasets servers` and `!archive servers` give the same answer (by DM) from a guild of shard 0, a guild of
 * shard 1 and a DM; a shard that does not answer (SIGSTOP) is named within the fan-out bound; the owners' fine-tuning
 * job (followed by shard 0) answers status/cancel/chart the same from shard 1; the CLI refuses to write while the bot runs; and a
 * per-server fine-tune (training.fineTuneByServerAdmins) in a guild of shard 1 is followed by shard 1 and survives a
 * SIGKILL respawn of it. Fine-tuning runs against the fake OpenAI server (tests/llm-server: the fine-tuning API as
 * OpenAI's published reference describes it; a running job takes one step per GET).
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmuMessage } from '../emulator/index.js';
import { chatRecord, jsonl } from '../finetune/helpers.js';
import { PROJECT_ROOT } from './harness.js';
import {
  buildDist,
  ownershipProblems,
  readJournal,
  shardStatus,
  startShardWorld,
  startSharded,
  type EosRun,
  type ShardWorld,
} from './shard-harness.js';

let w: ShardWorld;
let run: EosRun;
let dmId: string;

const TRAINING = { followIntervalSec: 0.4, baseModel: 'fake-model', validationSplit: 0.2 };

/** The harness's behaviour file plus fine-tuning settings (read by every shard at start). */
async function configure(training: Record<string, unknown>): Promise<void> {
  const file = path.join(w.dataDir, 'eos.config.json');
  const behaviour = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  await writeFile(file, JSON.stringify({ ...behaviour, training: { ...TRAINING, ...training } }));
}

async function startBot(): Promise<void> {
  const before = w.emu.identifies;
  run = await startSharded(w, { EOS_SHARDS: '2' });
  await w.emu.waitFor(() => w.emu.identifies >= before + 2 && w.emu.connected(0) && w.emu.connected(1), {
    label: 'both shards identified',
    timeoutMs: 180_000,
  });
  await shardStatus(w.dataDir, 2);
}

beforeAll(async () => {
  buildDist();
  w = await startShardWorld({ shards: 2 });
  w.llm.respondWith(() => ({ text: 'ok' }));
  dmId = w.emu.createDM(w.owner.id).id;
  await configure({});
  await startBot();
}, 240_000);

afterAll(async () => {
  if (run && run.proc.exitCode === null) await run.stop();
  await w?.close();
});

/** Sends `content` and waits for the bot's reply to it. */
async function ask(channelId: string, content: string, opts: { attachments?: { name: string; data: Buffer }[]; timeoutMs?: number } = {}) {
  const msg = w.emu.userSays({ channelId, userId: w.owner.id, content, ...(opts.attachments ? { attachments: opts.attachments } : {}) });
  return w.emu.waitForBotMessage(channelId, (m) => m.replyTo === msg.id, {
    timeoutMs: opts.timeoutMs ?? 30_000,
    label: content.slice(0, 40),
  });
}

/** The same command from a guild of shard 0, a guild of shard 1 and a DM (shard 0). */
const everywhere = () => [w.general[0]!.id, w.general[1]!.id, dmId];

/** An owner listing (it names every server): asked in a DM it is answered there; in a server channel the channel
 * gets only the DM notice and the listing arrives by DM (sent by the shard of that server). */
async function listing(channelId: string, content: string, timeoutMs?: number): Promise<string> {
  if (channelId === dmId) return (await ask(dmId, content, { timeoutMs })).content;
  const seen = w.emu.botMessages(dmId).length;
  expect((await ask(channelId, content, { timeoutMs })).content).toBe('📬 Sent to you by DM.');
  const dm = await w.emu.waitFor(() => w.emu.botMessages(dmId)[seen], { label: `${content} by DM` });
  expect(w.emu.botMessages(dmId)).toHaveLength(seen + 1);
  return dm.content;
}

const examples = (n: number, tag: string) =>
  Buffer.from(
    jsonl(
      Array.from({ length: n }, (_, i) => {
        const r = chatRecord(i);
        r.messages[r.messages.length - 1]!.content += ` ${tag}`;
        return r;
      }),
    ),
  );
const jobIdOf = (text: string) => /`(ftjob-[^`]+)`/.exec(text)?.[1];
const buttons = (m: EmuMessage) => (m.components as { components?: { custom_id: string }[] }[]).flatMap((row) => row.components ?? []);

/** `!train start` → report → Start clicked → the job's progress message. */
async function startJob(channelId: string, guildId?: string): Promise<{ jobId: string; progress: EmuMessage }> {
  const report = await ask(channelId, '!train start sft');
  expect(report.content).toContain('press **Start**');
  const start = buttons(report)[0]!;
  w.emu.interaction({
    name: start.custom_id,
    type: 3,
    customId: start.custom_id,
    userId: w.owner.id,
    channelId,
    ...(guildId ? { guildId } : {}),
    targetMessageId: report.id,
  });
  const progress = await w.emu.waitForBotMessage(channelId, (m) => m.replyTo === report.id && !!jobIdOf(m.content), {
    timeoutMs: 30_000,
    label: 'progress message',
  });
  return { jobId: jobIdOf(progress.content)!, progress };
}

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_|SHARD)/.test(k)));
  const child = spawn(process.execPath, ['dist/cli.js', ...args], { cwd: PROJECT_ROOT, env: { ...clean, EOS_DATA_DIR: w.dataDir } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

const shardPid = async (id: number) => (await shardStatus(w.dataDir, 2)).shards.find((s) => s.shard === id)!.result!.pid;

/** SIGSTOPs a shard for the duration of fn, then SIGCONTs it and waits until it answers again. */
async function whileStopped<T>(id: number, fn: () => Promise<T>): Promise<T> {
  const pid = await shardPid(id);
  process.kill(pid, 'SIGSTOP');
  try {
    return await fn();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

describe('owner commands across two shards', () => {
  test('!datasets servers: the same listing of every server from a guild of each shard and a DM', async () => {
    expect((await ask(w.general[0]!.id, '!train User: LIST-Q0\nAssistant: LIST-A0')).content).toMatch(/Added 1/);
    expect((await ask(w.general[1]!.id, '!train User: LIST-Q1\nAssistant: LIST-A1')).content).toMatch(/Added 1/);
    expect((await ask(dmId, '!train User: LIST-QD\nAssistant: LIST-AD')).content).toMatch(/Added 1/);
    const answers = [];
    for (const c of everywhere()) answers.push(await listing(c, '!datasets servers'));
    expect(answers[1]).toBe(answers[0]);
    expect(answers[2]).toBe(answers[0]);
    const text = answers[0]!;
    expect(text).toMatch(/^Datasets of 2 servers \(answered by 2 shards\):/);
    expect(text).toContain('**Bot owners (DMs)** · shard 0: default (active): 1 positive');
    expect(text).toContain(`**Server 0** \`${w.guilds[0]!.id}\` · shard 0: default (active): 1 positive`);
    expect(text).toContain(`**Server 1** \`${w.guilds[1]!.id}\` · shard 1: default (active): 1 positive`);
    expect(text).not.toContain('did not answer');
    // the plain listing is still this server's own
    expect((await ask(w.general[1]!.id, '!datasets')).content).toMatch(/^\*\*default\*\* \(active\): 1 positive/);
  }, 120_000);

  test("!archive servers: each shard zips its servers' datasets into their own folder; the same report from each place", async () => {
    const stamp = (t: string) => t.replace(/\d{8}-\d{6}(-\d+)?/g, '<time>').replace(/\(\d[^)]*\)/g, '(<size>)');
    const reports = [];
    for (const c of everywhere()) reports.push(await listing(c, '!archive servers', 90_000));
    expect(stamp(reports[1]!)).toBe(stamp(reports[0]!));
    expect(stamp(reports[2]!)).toBe(stamp(reports[0]!));
    expect(reports[0]).toMatch(/^Archives made: 3 of 3 .*answered by 2 shards/);
    for (const [i, g] of w.guilds.entries()) {
      expect(reports[0]).toMatch(
        new RegExp(`\\*\\*Server ${i}\\*\\* \`${g.id}\` · shard ${i}: 1 dataset, 1 records → \`guilds/${g.id}/archives/`),
      );
      expect((await readdir(path.join(w.dataDir, 'guilds', g.id, 'archives'))).filter((f) => f.endsWith('.zip'))).toHaveLength(3);
    }
    expect(reports[0]).toMatch(/\*\*Bot owners \(DMs\)\*\* · shard 0: 1 dataset, 1 records → `archives\//);
  }, 300_000);

  test('a shard that does not answer (SIGSTOP) is named within the bound, and the others still answer', async () => {
    const started = Date.now();
    const text = await whileStopped(1, async () => (await ask(dmId, '!datasets servers')).content);
    console.info(`listing with shard 1 stopped answered in ${Date.now() - started} ms (bound 3000 ms per shard)`);
    expect(text).toMatch(/answered by 1 of 2 shards/);
    expect(text).toContain('⚠️ shard 1 did not answer (no answer to owner.datasets within 3000 ms)');
    expect(text).toContain('**Server 0**');
    expect(text).not.toContain('**Server 1**');
    // shard 1 answers again after SIGCONT
    await w.emu.waitFor(() => w.emu.connected(1), { label: 'shard 1 connected after SIGCONT', timeoutMs: 60_000 });
    expect((await ask(dmId, '!datasets servers', { timeoutMs: 60_000 })).content).toMatch(/answered by 2 shards/);
  }, 180_000);

  test('/datasets servers slower than the 2 s deferral (shard 1 stopped): deferred in public, the listing follows ephemeral', async () => {
    const slash = await whileStopped(1, async () => {
      const i = w.emu.interaction({
        name: 'datasets',
        userId: w.owner.id,
        channelId: w.general[0]!.id,
        guildId: w.guilds[0]!.id,
        options: [{ name: 'page', type: 3, value: 'servers' }],
      });
      const followup = () => w.emu.interactionResponses.find((x) => x.interactionId === i.id && x.kind === 'followup');
      await w.emu.waitFor(followup, { label: '/datasets servers followup', timeoutMs: 30_000 });
      return i;
    });
    const calls = w.emu.interactionResponses.filter((x) => x.interactionId === slash.id);
    expect(calls.map((x) => [x.kind, x.type])).toEqual([
      ['callback', 5],
      ['edit', 0],
      ['followup', 0],
    ]);
    expect(((calls[0]!.data as { flags?: number } | null)?.flags ?? 0) & 64).toBe(0); // public "thinking…"
    expect(calls[1]!.data).toMatchObject({ content: '🔒 Only you can see the answer.' });
    expect(calls[2]!.data).toMatchObject({
      content: expect.stringMatching(/^Datasets of 1 server \(answered by 1 of 2 shards\)/),
      flags: 64,
    });
    const publicListing = w.emu.botMessages(w.general[0]!.id).filter((m) => m.content.startsWith('Datasets of') && (m.flags & 64) === 0);
    expect(publicListing).toEqual([]);
    await w.emu.waitFor(() => w.emu.connected(1), { label: 'shard 1 connected after SIGCONT', timeoutMs: 60_000 });
  }, 120_000);

  test("the owners' fine-tuning job (followed by shard 0): status, cancel and chart answer the same from shard 1", async () => {
    w.llm.fineTuning.totalSteps = 1_000_000;
    expect((await ask(dmId, '!train positive', { attachments: [{ name: 'o.jsonl', data: examples(24, 'OWNERS') }] })).content).toMatch(
      /^Added 24/,
    );
    const { jobId, progress } = await startJob(dmId);
    await w.emu.waitFor(() => progress.edits.length >= 1 || undefined, { label: 'shard 0 follows the job', timeoutMs: 30_000 });
    const status1 = (await ask(w.general[1]!.id, '!train status')).content;
    expect(status1).toContain(jobId);
    expect((await ask(w.general[1]!.id, '!train cancel')).content).toBe(`Fine-tune \`${jobId}\` (fake-model) was cancelled.`);
    const statuses = [];
    for (const c of everywhere()) statuses.push((await ask(c, '!train status')).content);
    expect(new Set(statuses)).toEqual(new Set([`Fine-tune \`${jobId}\` (fake-model) was cancelled.`]));
    const charts = [];
    for (const c of [w.general[1]!.id, dmId]) charts.push(await ask(c, '!train chart'));
    expect(charts[0]!.content).toBe(charts[1]!.content);
    expect(charts[0]!.attachments.length).toBe(charts[1]!.attachments.length);
    // shard 0 stopped: shard 1 says so within the bound instead of answering from its own copy
    const text = await whileStopped(0, async () => (await ask(w.general[1]!.id, '!train status', { timeoutMs: 60_000 })).content);
    expect(text).toBe(
      "Shard 0 follows the bot owners' fine-tuning job and did not answer (no answer to owner.finetune within 15000 ms); try again in a moment.",
    );
    await w.emu.waitFor(() => w.emu.connected(0), { label: 'shard 0 connected after SIGCONT', timeoutMs: 60_000 });
  }, 240_000);

  test("an owners' job started in a guild of shard 1 is followed by shard 0: it goes on after shard 1 is SIGKILLed", async () => {
    w.llm.fineTuning.totalSteps = 1_000_000; // running until cancelled
    const c1 = w.general[1]!.id;
    expect((await ask(c1, '!train positive', { attachments: [{ name: 's1.jsonl', data: examples(24, 'FROM-SHARD1') }] })).content).toMatch(
      /^Added 24/,
    );
    const { jobId, progress } = await startJob(c1, w.guilds[1]!.id);
    await w.emu.waitFor(() => progress.edits.length >= 1 || undefined, { label: 'the job is followed', timeoutMs: 30_000 });
    // the owners' (global) job record, which shard 0 resumes after its restarts
    const global = JSON.parse(await readFile(path.join(w.dataDir, 'state', 'eos.json'), 'utf8')) as {
      training: { fineTuneJobId?: string; fineTuneMessage?: { messageId: string } };
    };
    expect(global.training).toMatchObject({ fineTuneJobId: jobId, fineTuneMessage: { messageId: progress.id } });
    const before = w.emu.identifies;
    process.kill(await shardPid(1), 'SIGKILL');
    const edits = progress.edits.length;
    // shard 1 is down (until respawned): the progress message is still edited, so shard 0 follows the job
    await w.emu.waitFor(() => progress.edits.length > edits + 1 || undefined, { label: 'edits while shard 1 is down', timeoutMs: 30_000 });
    await w.emu.waitFor(() => w.emu.identifies > before && w.emu.connected(1), { label: 'shard 1 respawned', timeoutMs: 60_000 });
    expect((await ask(dmId, '!train cancel')).content).toBe(`Fine-tune \`${jobId}\` (fake-model) was cancelled.`);
  }, 180_000);

  test('the CLI refuses to write while the bot runs (exit 3), reads meanwhile, and writes once it stopped', async () => {
    const refused = await cli(['archive', 'all']);
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(/refused: the sharding manager \(pid \d+ on .*, running\) is running on .*writes a zip under archives\//);
    const use = await cli(['train', 'use', 'some-model']);
    expect(use.code).toBe(3);
    const list = await cli(['dataset', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^\* default\s+positive 25/m); // the owners' tenant: 1 + 24 from DMs
    const code = await run.stop();
    expect(code).toBe(0);
    const problems = ownershipProblems(await readJournal(run.journalDir), w.dataDir, 2);
    expect(problems.filter((p) => p.startsWith('guilds/') || p.startsWith('archives/') || p.startsWith('state/eos.json'))).toEqual([]);
    const archived = await cli(['archive', 'all']);
    expect(archived.code).toBe(0);
    expect(archived.out).toMatch(/archives\/.*\.zip/);
  }, 120_000);
});

describe('a per-server fine-tune in a guild of shard 1 (training.fineTuneByServerAdmins)', () => {
  test('started and followed by shard 1, status answered there, and followed again after a SIGKILL respawn of shard 1', async () => {
    await configure({ fineTuneByServerAdmins: true });
    await startBot();
    w.llm.fineTuning.totalSteps = 1_000_000; // running until cancelled
    const g1 = w.guilds[1]!;
    const c1 = w.general[1]!.id;
    expect((await ask(c1, '!train positive', { attachments: [{ name: 'g.jsonl', data: examples(24, 'GUILD1') }] })).content).toMatch(
      /^Added 24/,
    );
    const { jobId, progress } = await startJob(c1, g1.id);
    expect((await ask(c1, '!train status')).content).toContain(jobId);
    // the server's job record is in its own state file, written by shard 1 (not the owners' global job)
    const guildState = JSON.parse(await readFile(path.join(w.dataDir, 'guilds', g1.id, 'state.json'), 'utf8')) as {
      guilds: Record<string, { fineTuneJobId?: string }>;
    };
    expect(guildState.guilds[g1.id]?.fineTuneJobId).toBe(jobId);
    expect((await ask(dmId, '!train status')).content).not.toContain(jobId);
    await w.emu.waitFor(() => progress.edits.length >= 2 || undefined, { label: 'shard 1 follows the job (edits)', timeoutMs: 30_000 });

    const pid1 = await shardPid(1);
    const before = w.emu.identifies;
    process.kill(pid1, 'SIGKILL');
    await w.emu.waitFor(() => w.emu.identifies > before && w.emu.connected(1), { label: 'shard 1 respawned', timeoutMs: 60_000 });
    const edits = progress.edits.length;
    await w.emu.waitFor(() => progress.edits.length > edits + 1 || undefined, {
      label: 'the respawned shard 1 follows the job again (new edits)',
      timeoutMs: 60_000,
    });
    expect((await ask(c1, '!train status')).content).toContain(jobId);
    expect((await ask(c1, '!train cancel')).content).toBe(`Fine-tune \`${jobId}\` (fake-model) was cancelled.`);
    expect(await run.stop()).toBe(0);
    const problems = ownershipProblems(await readJournal(run.journalDir), w.dataDir, 2);
    expect(problems.filter((p) => p.startsWith('guilds/') || p.startsWith('state/eos.json'))).toEqual([]);
  }, 300_000);
});
