/**
 * The owners' cross-server commands without sharding (one process asks itself, same replies as sharded):
 * `!datasets servers` and `!archive servers` over two servers and the owners' DM tenant, refused to non-owners;
 * typed in a server channel, the listing (it names every server) goes to the owner by DM, the channel gets a notice;
 * and the CLI refusing to write while this bot runs on its data folder (state/running.json), reading meanwhile.
 */
import { spawn } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { EmuChannel, EmuGuild } from '../emulator/index.js';
import { PROJECT_ROOT, startHarness, type Harness } from './harness.js';
import { buildDist } from './shard-harness.js';
import { runFilePath } from '../../src/shard/run-file.js';

let h: Harness;
let other: EmuGuild;
let otherGeneral: EmuChannel;
let dmId: string;

beforeAll(async () => {
  buildDist(); // dist/cli.js for the CLI part
  h = await startHarness({ behaviour: { perServerData: true } });
  other = h.emu.createGuild({ name: 'Second Place', ownerId: h.owner.id });
  otherGeneral = h.emu.createChannel({ guildId: other.id, name: 'general' });
  dmId = h.emu.createDM(h.owner.id).id;
}, 180_000);

afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  await h.close();
}, 60_000);

async function ask(channelId: string, content: string, userId = h.owner.id): Promise<string> {
  const msg = h.emu.userSays({ channelId, userId, content });
  return (await h.emu.waitForBotMessage(channelId, (m) => m.replyTo === msg.id, { timeoutMs: 30_000, label: content })).content;
}

/** A command typed in a server channel whose answer must reach only its author: the channel gets the DM notice. */
async function askPrivately(channelId: string, content: string): Promise<string> {
  const seen = h.emu.botMessages(dmId).length;
  expect(await ask(channelId, content)).toBe('📬 Sent to you by DM.');
  const dm = await h.emu.waitFor(() => h.emu.botMessages(dmId)[seen], { label: `${content} by DM` });
  expect(h.emu.botMessages(dmId)).toHaveLength(seen + 1);
  return dm.content;
}

function cli(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_|SHARD)/.test(k)));
  const child = spawn(process.execPath, ['dist/cli.js', ...args], { cwd: PROJECT_ROOT, env: { ...clean, EOS_DATA_DIR: h.dataDir } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += String(d)));
  child.stderr.on('data', (d) => (err += String(d)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out, err })));
}

describe('owner commands across servers, one process', () => {
  test('!datasets servers: the same listing by DM from either server and in a DM; members are refused', async () => {
    expect(await ask(h.general.id, '!train User: U-Q1\nAssistant: U-A1')).toMatch(/Added 1/);
    expect(await ask(otherGeneral.id, '!train User: U-Q2\nAssistant: U-A2')).toMatch(/Added 1/);
    const answers = [
      await askPrivately(h.general.id, '!datasets servers'),
      await askPrivately(otherGeneral.id, '!datasets servers'),
      await ask(dmId, '!datasets servers'),
    ];
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/^Datasets of 2 servers \(answered by 1 shard\):/);
    expect(answers[0]).toContain('**Bot owners (DMs)** · shard 0: default (active): 0 positive');
    expect(answers[0]).toContain(`\`${h.guild.id}\` · shard 0: default (active): 1 positive`);
    expect(answers[0]).toContain(`**Second Place** \`${other.id}\` · shard 0: default (active): 1 positive`);
    expect(await ask(h.general.id, '!datasets servers', h.alice.id)).toBe("Only the bot owner can list every server's datasets.");
    const slash = h.emu.interaction({
      name: 'datasets',
      userId: h.owner.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      options: [{ name: 'page', type: 3, value: 'servers' }],
    });
    const resp = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === slash.id), { label: '/datasets' });
    expect(resp.data).toMatchObject({ content: answers[0], flags: 64 }); // ephemeral: only the owner sees it
  }, 60_000);

  test('!archive servers zips each server into its own archives folder', async () => {
    const text = await ask(dmId, '!archive servers');
    expect(text).toMatch(/^Archives made: 2 of 3 .*answered by 1 shard\):/);
    expect(text).toContain('**Bot owners (DMs)** · shard 0: nothing to archive');
    const file = new RegExp(`\`(guilds/${other.id}/archives/[^\`]+\\.zip)\``).exec(text)?.[1];
    expect(file).toBeTruthy();
    await access(path.join(h.dataDir, file!));
    const fromServer = await askPrivately(h.general.id, '!archive servers');
    expect(fromServer).toMatch(/^Archives made: 2 of 3 .*answered by 1 shard\):/);
    expect(fromServer).toContain(`\`${other.id}\``);
  }, 60_000);

  test('the CLI refuses to write while this bot runs (exit 3) and reads meanwhile', async () => {
    expect(JSON.parse(await readFile(runFilePath(h.dataDir), 'utf8'))).toMatchObject({ pid: process.pid, mode: 'discord' });
    const refused = await cli(['archive']);
    expect(refused.code).toBe(3);
    expect(refused.err).toMatch(/^eos: refused: Eos \(discord, pid \d+ on .*\) is running on .*writes a zip under archives\//);
    const outside = await cli(['dataset', 'export', '--out', path.join(h.dataDir, 'x.jsonl')]);
    expect(outside.code).toBe(3);
    const list = await cli(['dataset', 'list']);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^\* default/m);
    await h.stopBot();
    await expect(access(runFilePath(h.dataDir))).rejects.toThrow(); // removed at stop
    expect((await cli(['archive'])).code).not.toBe(3);
  }, 120_000);
});
