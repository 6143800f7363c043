/**
 * Through the real bot: every path-traversal variant on `!getfile` (by the owner) is refused with no
 * attachment, and every privileged command used by a plain member (prefix and slash forms) is denied
 * with a short reply and changes nothing (state, datasets, archives, fine-tuning jobs, other channels).
 */
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness.js';
import { TRAVERSAL } from './traversal.js';
import { trackRejections } from './gen.js';

let h: Harness;
const rejections = trackRejections();
beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { streamEditIntervalMs: 250 } } });
  const msg = h.emu.userSays({ channelId: h.general.id, userId: h.owner.id, content: '!train User: a\nAssistant: b' });
  await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id);
  const ds = path.join(h.dataDir, 'datasets');
  await writeFile(path.join(h.dataDir, 'secret.txt'), 'TOP-SECRET');
  await writeFile(path.join(ds, '.env'), 'KEY=1');
  await symlink(path.join(h.dataDir, 'secret.txt'), path.join(ds, 'default', 'leak.jsonl'));
  await symlink('../../secret.txt', path.join(ds, 'default', 'rel-leak.jsonl'));
  await symlink(h.dataDir, path.join(ds, 'escape'));
  await symlink('loop2', path.join(ds, 'default', 'loop1'));
  await symlink('loop1', path.join(ds, 'default', 'loop2'));
  await mkdir(path.join(ds, 'default', 'sub'), { recursive: true });
});
afterAll(async () => {
  rejections.stop();
  expect(rejections.list.map(String)).toEqual([]);
  expect(h.emu.contractViolations).toEqual([]);
  await h.close();
});

const say = (userId: string, content: string) => h.emu.userSays({ channelId: h.general.id, userId, content });
async function run(userId: string, content: string) {
  const msg = say(userId, content);
  return h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id, { label: `reply to ${JSON.stringify(content.slice(0, 60))}` });
}
/** How many `name` commands the router has finished: its closing log line comes after the command's last action. */
const finished = (name: string) => h.logs.filter((l) => l.includes(`"command":"${name}"`) && l.includes('"outcome"')).length;
const untilFinished = (name: string, before: number) => h.emu.waitFor(() => finished(name) > before, { label: `${name} finished` });
const uploadsSince = (from: number) =>
  h.emu.requests.slice(from).filter((r) => r.method === 'POST' && (r.body as { files?: unknown[] } | undefined)?.files?.length);

describe('!getfile path traversal through the bot', () => {
  test('the file exists and an admin gets it, by DM (so a leak would be seen)', async () => {
    const from = h.emu.requests.length;
    const r = await run(h.owner.id, '!getfile datasets/default/positive.jsonl');
    expect(r.content).toBe('📬 Sent to you by DM.');
    const dm = h.emu.createDM(h.owner.id);
    const file = await h.emu.waitForBotMessage(dm.id, (m) => m.attachments.length > 0);
    expect(file.attachments.map((a) => a.filename)).toEqual(['positive.jsonl']);
    expect(uploadsSince(from)).toHaveLength(1);
  });

  test(`${TRAVERSAL.length} hostile variants are refused with no attachment`, async () => {
    expect(TRAVERSAL.length).toBeGreaterThanOrEqual(30);
    const from = h.emu.requests.length;
    const accepted: string[] = [];
    for (const [label, variant] of TRAVERSAL) {
      const requested = variant
        .replace('{ABS}', path.join(h.dataDir, 'datasets', 'default', 'positive.jsonl'))
        .replace('{DATA}', h.dataDir);
      const r = await run(h.owner.id, `!getfile ${requested}`);
      if (!/^I can't send that: /.test(r.content) || r.attachments.length > 0)
        accepted.push(`${label}: ${JSON.stringify(r.content.slice(0, 120))}`);
      expect(r.content.length).toBeLessThanOrEqual(400);
      expect(r.content).not.toContain('TOP-SECRET');
    }
    expect(accepted).toEqual([]);
    expect(uploadsSince(from)).toEqual([]);
  });
});

interface Snapshot {
  state: string;
  datasets: string[];
  archives: string[];
  jobs: number;
  random: number;
  config: string;
}
async function snapshot(): Promise<Snapshot> {
  await h.app.state.flush();
  // Transient files of atomic writes (manifest.json.tmp-<pid>-<hex>) come and go on their own; symlink loops
  // planted by the traversal tests are cut at a few levels.
  const list = async (dir: string) =>
    (await readdir(path.join(h.dataDir, dir), { recursive: true }).catch(() => [] as string[]))
      .map(String)
      .filter((n) => !/\.tmp-\d+-[0-9a-f]+$/.test(n) && n.split('/').length <= 6)
      .sort();
  return {
    state: await readFile(path.join(h.dataDir, 'state', 'eos.json'), 'utf8').catch(() => ''),
    datasets: await list('datasets'),
    archives: await list('archives'),
    jobs: h.llm!.requests.filter((r) => /^\/v1\/(fine_tuning|files)/.test(r.path)).length,
    random: h.emu.botMessages(h.random.id).length,
    config: await readFile(path.join(h.dataDir, 'eos.config.json'), 'utf8'),
  };
}

const PRIVILEGED = [
  '!temperature 1',
  '!reply_probability 1',
  '!reaction_probability 1',
  '!prefix ?',
  '!puppet <#RANDOM> hello from a member',
  '!select_dataset x',
  '!archive',
  '!archive all',
  '!getfile datasets/default/positive.jsonl',
  '!train start',
  '!train start dpo',
  '!train cancel',
  '!train use',
  '!train use some-model',
  '!train use default',
  '!temperature reset',
  '!prefix reset',
];

describe('privileged commands by a member', () => {
  test.each(PRIVILEGED)('%s is denied, with a short reply and no change', async (command) => {
    const before = await snapshot();
    const from = h.emu.requests.length;
    const name = command.slice(1).split(' ')[0]!;
    const done = finished(name);
    const r = await run(h.alice.id, command.replace('RANDOM', h.random.id));
    expect(r.content).toMatch(/^Only Eos admins can/);
    expect(r.content.length).toBeLessThanOrEqual(120);
    expect(r.attachments).toHaveLength(0);
    await untilFinished(name, done);
    expect(await snapshot()).toEqual(before);
    expect(uploadsSince(from)).toEqual([]);
  });

  const SLASH: [string, { name: string; type: number; value: string }[]][] = [
    ['temperature', [{ name: 'value', type: 3, value: '1' }]],
    ['reply_probability', [{ name: 'value', type: 3, value: '1' }]],
    ['reaction_probability', [{ name: 'value', type: 3, value: '1' }]],
    ['prefix', [{ name: 'value', type: 3, value: '?' }]],
    ['select_dataset', [{ name: 'name', type: 3, value: 'x' }]],
    ['archive', []],
    ['getfile', [{ name: 'path', type: 3, value: 'datasets/default/positive.jsonl' }]],
    ['train', [{ name: 'text', type: 3, value: 'start' }]],
    ['train', [{ name: 'text', type: 3, value: 'cancel' }]],
    ['train', [{ name: 'text', type: 3, value: 'use' }]],
  ];
  test.each(SLASH)('/%s %j is denied the same way', async (name, options) => {
    const before = await snapshot();
    const done = finished(name);
    const inter = h.emu.interaction({ name, userId: h.alice.id, channelId: h.general.id, guildId: h.guild.id, options });
    const resp = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === inter.id));
    expect((resp.data as { content: string }).content).toMatch(/^Only Eos admins can/);
    await untilFinished(name, done);
    expect(await snapshot()).toEqual(before);
  });

  test('/puppet with a channel option is denied too', async () => {
    const before = await snapshot();
    const inter = h.emu.interaction({
      name: 'puppet',
      userId: h.alice.id,
      channelId: h.general.id,
      guildId: h.guild.id,
      options: [
        { name: 'channel', type: 7, value: h.random.id },
        { name: 'text', type: 3, value: 'hello' },
      ],
    });
    const resp = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === inter.id));
    expect((resp.data as { content: string }).content).toMatch(/^Only Eos admins can/);
    expect(await snapshot()).toEqual(before);
  });
});
