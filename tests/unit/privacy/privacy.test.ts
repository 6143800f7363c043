import { mkdtemp, readFile, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { keyedHasher, loadOrCreateSecret } from '../../../src/privacy/secret.js';
import { ContributionIndex } from '../../../src/privacy/contributions.js';
import { removeMatchingLines, variants } from '../../../src/privacy/forget.js';
import { AuditLog } from '../../../src/privacy/audit.js';
import { PrivacyService } from '../../../src/privacy/consent.js';
import { createStateStore } from '../../../src/state/store.js';
import { pino } from 'pino';

const dirs: string[] = [];
async function tmp() {
  const d = await mkdtemp(path.join(tmpdir(), 'eos-privacy-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('privacy key and keyed hashes', () => {
  test('the key is made once and kept (0600); hashes are stable per key and differ across keys', async () => {
    const d = await tmp();
    const file = path.join(d, 'state', 'privacy.key');
    const a = await loadOrCreateSecret(file);
    const b = await loadOrCreateSecret(file);
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(32);
    const other = keyedHasher(await loadOrCreateSecret(path.join(d, 'other.key')));
    expect(keyedHasher(a)('x', '1')).toBe(keyedHasher(b)('x', '1'));
    expect(keyedHasher(a)('x', '1')).not.toBe(other('x', '1'));
    expect(keyedHasher(a)('x', '1')).toMatch(/^[0-9a-f]{24}$/);
  });

  test('processes starting at once (shards) all end up with the same key', async () => {
    const file = path.join(await tmp(), 'state', 'privacy.key');
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSecret(file)));
    for (const k of keys) expect(k.equals(keys[0]!)).toBe(true);
    expect((await readFile(file)).length).toBe(32);
  });
});

describe('contribution index and removal', () => {
  test('the index keeps hashes only, per server, and survives a reload', async () => {
    const d = await tmp();
    const hash = keyedHasher(Buffer.alloc(32, 7));
    const file = path.join(d, 'contributions.jsonl');
    const idx = new ContributionIndex(file, hash);
    await idx.note('g1', '123456789012345678', ['my secret cake recipe', 'x']);
    await idx.flush(); // observed texts are group-committed (see ContributionIndex)
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('cake');
    expect(text).not.toContain('123456789012345678');
    const again = new ContributionIndex(file, hash);
    await again.load();
    expect(again.textsOf('g1', '123456789012345678').has(again.textKey('my  secret cake recipe '))).toBe(true);
    expect(again.textsOf('g2', '123456789012345678').size).toBe(0);
    await again.drop('g1', '123456789012345678');
    expect(again.textsOf('g1', '123456789012345678').size).toBe(0);
  });

  test('variants see through "Speaker: " prefixes and merged lines', () => {
    expect(variants('Ali: hello there')).toEqual(expect.arrayContaining(['Ali: hello there', 'hello there']));
    expect(variants('Ali: one\nBob: two')).toEqual(expect.arrayContaining(['one', 'two']));
  });

  test('removal drops whole matching lines in place and keeps the rest and torn lines', async () => {
    const d = await tmp();
    await mkdir(d, { recursive: true });
    const f = path.join(d, 'positive.jsonl');
    const lines = [
      {
        messages: [
          { role: 'user', content: 'Ali: secret words' },
          { role: 'assistant', content: 'ok' },
        ],
      },
      {
        messages: [
          { role: 'user', content: 'Bob: other words' },
          { role: 'assistant', content: 'fine' },
        ],
        messageId: 'm2',
      },
      { candidate: { messageId: 'm3', context: [{ role: 'user', content: 'secret words' }] } },
    ];
    await writeFile(f, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n{"torn`);
    const r = await removeMatchingLines([f, path.join(d, 'missing.jsonl')], (t) => t === 'secret words');
    expect(r).toEqual({ files: 1, lines: 2, messageIds: ['m3'] });
    const kept = (await readFile(f, 'utf8')).split('\n').filter(Boolean);
    expect(kept).toEqual([JSON.stringify(lines[1]), '{"torn']);
  });
});

describe('audit log', () => {
  test('one file per server, display name + keyed hash, no IDs; recent() returns the last n', async () => {
    const d = await tmp();
    const log = new AuditLog(d, keyedHasher(Buffer.alloc(32, 1)));
    for (let i = 0; i < 5; i++)
      await log.append({ guildId: '111', userId: '999999999999999999', displayName: 'Zed\nInjected', action: `act ${i}` });
    await log.append({ guildId: null, userId: '1', displayName: 'Owner', action: 'dm action' });
    const recent = await log.recent('111', 2);
    expect(recent.map((e) => e.action)).toEqual(['act 3', 'act 4']);
    expect(recent[0]!.who).toBe('Zed Injected');
    expect(await readFile(path.join(d, '111.jsonl'), 'utf8')).not.toContain('999999999999999999');
    expect((await log.recent(null, 10)).map((e) => e.action)).toEqual(['dm action']);
    expect(await log.recent('222', 10)).toEqual([]);
  });
});

describe('consent switch', () => {
  async function service(opts: { consoleMode: boolean; recordByDefault: boolean }) {
    const d = await tmp();
    const state = await createStateStore(path.join(d, 'state', 'eos.json'));
    const sent: string[] = [];
    const surface = { send: async (channelId: string) => (sent.push(channelId), { id: '1', channelId }) } as never;
    const index = new ContributionIndex(path.join(d, 'c.jsonl'), keyedHasher(Buffer.alloc(32, 3)));
    const p = new PrivacyService({
      state,
      surface,
      ...opts,
      index,
      paths: { datasets: d, conversations: d, candidates: path.join(d, 'x.jsonl') },
      reconcileDatasets: async () => undefined,
      flushAll: async () => undefined,
      dropCandidate: async () => undefined,
      log: pino({ level: 'silent' }),
    });
    return { p, state, sent };
  }

  test('the console always records; servers only once turned on; DMs follow the config default', async () => {
    const console_ = (await service({ consoleMode: true, recordByDefault: false })).p;
    expect(console_.recording(null)).toBe(true);
    const { p, sent } = await service({ consoleMode: false, recordByDefault: false });
    expect(p.recording('100000000000000001')).toBe(false);
    expect(p.recording(null)).toBe(false);
    await p.setRecording('100000000000000001', true);
    expect(p.recording('100000000000000001')).toBe(true);
    await p.noticeIfNeeded('100000000000000001', 'c1', '!');
    await p.noticeIfNeeded('100000000000000001', 'c1', '!');
    expect(sent).toEqual(['c1']);
    const byDefault = await service({ consoleMode: false, recordByDefault: true });
    expect(byDefault.p.recording('100000000000000002')).toBe(true);
    await byDefault.p.noticeIfNeeded('100000000000000002', 'c2', '!');
    expect(byDefault.sent).toEqual(['c2']);
  });
});
