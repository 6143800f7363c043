/**
 * Trust boundaries between servers (issue 9, items 2, 7 and 8): a second server with its own admin
 * tries every privileged command against server A's data and channels (paths, names, IDs, `all`),
 * by prefix and slash. Each attempt is refused, changes nothing of A, and nothing of A reaches B.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, mention, type Harness } from './harness.js';
import type { EmuChannel, EmuGuild, EmuUser } from '../emulator/index.js';

let h: Harness;
let guildB: EmuGuild;
let bGeneral: EmuChannel;
let zed: EmuUser;
let yuri: EmuUser;
let aReplyId = '';
const A_SECRET = 'A-SECRET-RECIPE';

beforeAll(async () => {
  h = await startHarness({
    behaviour: { perServerData: true, conversation: { streamEditIntervalMs: 250 }, privacy: { recordByDefault: false } },
  });
  // Server B: its owner Zed, and Yuri who holds B's Manage Server role. Neither is a bot owner.
  zed = h.emu.createUser({ username: 'zed', globalName: 'Zed' });
  yuri = h.emu.createUser({ username: 'yuri', globalName: 'Yuri' });
  guildB = h.emu.createGuild({ name: 'Other Place', ownerId: zed.id });
  const bAdmins = h.emu.createRole(guildB.id, { name: 'B admins', permissions: String(1n << 5n) });
  h.emu.addMember(guildB.id, zed.id, {});
  h.emu.addMember(guildB.id, yuri.id, { roles: [bAdmins.id] });
  bGeneral = h.emu.createChannel({ guildId: guildB.id, name: 'b-general' });
  // Server A has data: a trained example, a rated reply, an archive, an audited action.
  await runIn(h.general.id, h.owner.id, `!train User: what is the secret?\nAssistant: ${A_SECRET}`);
  h.llm!.queue({ text: 'A-ANSWER' });
  const q = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: mention(h.emu.botUser.id, 'A question in server A') });
  const r = await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === q.id && m.content === 'A-ANSWER');
  await h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { label: 'A reply captured' });
  aReplyId = r.id;
  await runIn(h.general.id, h.owner.id, '!archive default');
  await runIn(h.general.id, h.owner.id, `!puppet <#${h.random.id}> owner speaking in A`);
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  expect(h.llm!.contractViolations).toEqual([]);
  await h.close();
});

async function runIn(channelId: string, userId: string, content: string) {
  const msg = h.emu.userSays({ channelId, userId, content });
  return h.emu.waitForBotMessage(channelId, (m) => m.replyTo === msg.id, { label: `reply to ${content.slice(0, 50)}` });
}

async function snapshotA() {
  await h.app.state.flush();
  const list = async (dir: string) =>
    (await readdir(path.join(h.dataDir, dir), { recursive: true }).catch(() => [] as string[]))
      .map(String)
      .filter((n) => !/\.tmp-|cache/.test(n))
      .sort();
  const state = h.app.state.data() as unknown as Record<string, Record<string, unknown>>;
  const files: Record<string, string> = {};
  // A's own data (guilds/<A>/…) and the bot owners' top-level datasets.
  for (const dir of [`guilds/${h.guild.id}`, 'datasets']) {
    for (const f of await list(dir)) if (f.endsWith('.jsonl')) files[`${dir}/${f}`] = await readFile(path.join(h.dataDir, dir, f), 'utf8');
  }
  return {
    files,
    archives: [...(await list('archives')), ...(await list(`guilds/${h.guild.id}/archives`))],
    guildA: state.guilds?.[h.guild.id] ?? null,
    channelsA: [state.channels?.[h.general.id] ?? null, state.channels?.[h.random.id] ?? null],
    training: state.training,
    messagesA: [h.emu.messages(h.general.id).length, h.emu.messages(h.random.id).length],
    jobs: h.llm!.requests.filter((x) => /^\/v1\/(fine_tuning|files)/.test(x.path)).length,
  };
}

/** Nothing of A in B: no A content in B's channels, in files sent to B's admins, or in B's folder. */
async function assertNothingOfAInB() {
  const seen = [...h.emu.botMessages(bGeneral.id), ...[zed, yuri].flatMap((u) => h.emu.botMessages(h.emu.createDM(u.id).id))];
  for (const m of seen) {
    for (const text of [m.content, ...m.attachments.map((a) => a.data.toString('latin1'))]) {
      expect(text).not.toContain(A_SECRET);
      expect(text).not.toContain('A-ANSWER');
      expect(text).not.toContain('A question in server A');
    }
  }
  for (const f of await readdir(path.join(h.dataDir, 'guilds', guildB.id), { recursive: true }).catch(() => [] as string[])) {
    const text = await readFile(path.join(h.dataDir, 'guilds', guildB.id, String(f)), 'latin1').catch(() => '');
    expect(text).not.toContain(A_SECRET);
  }
}

const REFUSED = /^(I can only|The datasets are shared|Fine-tuning spends|Only the bot owner|Only Eos admins)/;

/**
 * Privileged prefix commands from server B aimed at A's channels, paths, names, IDs and `all`.
 * `true`: refused outright; `false`: runs, but on B's own data (B's datasets, archives, active dataset).
 */
const PREFIX_ATTEMPTS = (): [string, boolean][] => [
  [`!puppet <#${h.general.id}> hello from B`, true],
  [`!puppet <#${h.random.id}> hello from B`, true],
  [`!puppet ${h.general.id} raw channel id from B`, true],
  ['!getfile datasets/default/positive.jsonl', false],
  [`!getfile ../${h.guild.id}/datasets/default/positive.jsonl`, false],
  [`!getfile datasets/../../${h.guild.id}/datasets/default/positive.jsonl`, false],
  [`!getfile ../../datasets/default/positive.jsonl`, false],
  [`!getfile conversations/${h.guild.id}_${h.general.id}.jsonl`, false],
  [`!getfile archives`, false],
  ['!archive all', false],
  ['!archive default', false],
  ['!archive', false],
  ['!select_dataset default', false],
  ['!select_dataset b-takeover', false],
  ['!train start', true],
  ['!train start dpo', true],
  ['!train use some-model', true],
  ['!train use default', true],
  ['!train cancel', true],
  [`!correct ${aReplyId} B rewrites A's answer`, true],
];

describe('server B admins against server A', () => {
  test('every privileged prefix command from B is refused and changes nothing of A', async () => {
    const attempts = PREFIX_ATTEMPTS();
    let tried = 0;
    for (const admin of [zed, yuri]) {
      for (const [command, refused] of attempts) {
        const before = await snapshotA();
        const r = await runIn(bGeneral.id, admin.id, command);
        if (refused) expect(r.content, `${admin.username}: ${command}`).toMatch(REFUSED);
        expect(r.attachments).toHaveLength(0);
        expect(await snapshotA(), `${admin.username}: ${command}`).toEqual(before);
        tried++;
      }
    }
    await assertNothingOfAInB();
    expect(tried).toBe(2 * attempts.length);
  });

  const SLASH = (): [string, { name: string; type: number; value: string }[], boolean][] => [
    [
      'puppet',
      [
        { name: 'channel', type: 7, value: h.general.id },
        { name: 'text', type: 3, value: 'slash from B' },
      ],
      true,
    ],
    ['getfile', [{ name: 'path', type: 3, value: 'datasets/default/positive.jsonl' }], false],
    ['getfile', [{ name: 'path', type: 3, value: `../${h.guild.id}/datasets/default/positive.jsonl` }], false],
    ['archive', [{ name: 'name', type: 3, value: 'all' }], false],
    ['select_dataset', [{ name: 'name', type: 3, value: 'default' }], false],
    ['train', [{ name: 'text', type: 3, value: 'start' }], true],
    ['train', [{ name: 'text', type: 3, value: 'use some-model' }], true],
    [
      'correct',
      [
        { name: 'answer', type: 3, value: 'B again' },
        { name: 'message_id', type: 3, value: aReplyId },
      ],
      true,
    ],
  ];
  test('the same by slash command: refused or B-only, ephemeral, nothing of A changes', async () => {
    for (const [name, options, refused] of SLASH()) {
      const before = await snapshotA();
      const i = h.emu.interaction({ name, userId: zed.id, channelId: bGeneral.id, guildId: guildB.id, options });
      const resp = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === i.id));
      const data = resp.data as { content?: string; flags?: number };
      if (refused) expect(data.content, name).toMatch(REFUSED);
      expect(data.flags, name).toBe(64);
      expect(await snapshotA(), name).toEqual(before);
    }
    await assertNothingOfAInB();
  });

  test("B's settings, consent, audit and forget stay in B", async () => {
    const before = await snapshotA();
    await runIn(bGeneral.id, zed.id, '!temperature 1.5');
    await runIn(bGeneral.id, zed.id, '!prefix ?');
    expect((await runIn(bGeneral.id, zed.id, '?recording on')).content).toMatch(/^Recording is now \*\*on\*\*/);
    expect(h.app.state.guild(h.guild.id).recording).toBeUndefined();
    expect(h.app.state.guild(h.guild.id).prefix).toBeUndefined();
    expect(h.app.state.channel(h.general.id).temperature).toBeUndefined();
    // The audit line is appended right after the command's reply: wait for it before asking.
    await h.emu.waitFor(
      async () =>
        (await readFile(path.join(h.dataDir, 'audit', `${guildB.id}.jsonl`), 'utf8').catch(() => '')).includes('recording') || undefined,
    );
    const audit = await runIn(bGeneral.id, zed.id, '?audit');
    expect(audit.content).toMatch(/\*\*Zed\*\* \([0-9a-f]{8}\): recording mode=on/);
    expect(audit.content).not.toMatch(/puppet|archive|Olivia/);
    expect(audit.content).not.toContain(zed.id);
    // Alice is in A; in B she is a stranger: forget in B removes nothing of A.
    h.emu.addMember(guildB.id, h.alice.id, {});
    expect((await runIn(bGeneral.id, h.alice.id, '?forget me')).content).toBe(
      'I found nothing you contributed in this server that is still stored.',
    );
    const after = await snapshotA();
    expect(after.files).toEqual(before.files);
    expect(after.guildA).toEqual(before.guildA);
    const auditA = await runIn(h.general.id, h.owner.id, '!audit');
    expect(auditA.content).toMatch(/\*\*Olivia\*\* \([0-9a-f]{8}\): puppet/);
    expect(auditA.content).not.toMatch(/Zed|recording/);
    await assertNothingOfAInB();
  });

  test('bot owners administer everything: puppet into B from A works', async () => {
    const r = await runIn(h.general.id, h.owner.id, `!puppet <#${bGeneral.id}> the operator says hi`);
    expect(r.content).toBe(`Sent to <#${bGeneral.id}>.`);
    await h.emu.waitForBotMessage(bGeneral.id, (m) => m.content === 'the operator says hi');
  });
});
