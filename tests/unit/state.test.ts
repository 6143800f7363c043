import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createStateStore } from '../../src/state/store.js';
import { createLogger, closeLogger } from '../../src/log.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eos-state-'));
  file = join(dir, 'state', 'eos.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;

describe('state store basics', () => {
  test('starts empty, persists settings and survives a reopen', async () => {
    const a = await createStateStore(file);
    expect(a.loaded.source).toBe('new');
    expect(a.channel('c1')).toEqual({});
    await a.setGuild('g1', { prefix: '?' });
    await a.setChannel('c1', { temperature: 1.2, replyProbability: 0.1 });
    await a.setUser('u1', { replyPrefix: 'Dear u1,' });
    expect(readJson(file)).toMatchObject({ version: 1, guilds: { g1: { prefix: '?' } } });

    const b = await createStateStore(file);
    expect(b.loaded.source).toBe('file');
    expect(b.guild('g1')).toEqual({ prefix: '?' });
    expect(b.channel('c1')).toEqual({ temperature: 1.2, replyProbability: 0.1 });
    expect(b.user('u1')).toEqual({ replyPrefix: 'Dear u1,' });
    expect(b.guild('other')).toEqual({});
  });

  test('undefined in a patch removes the key; empty entries disappear', async () => {
    const s = await createStateStore(file);
    await s.setChannel('c1', { temperature: 0.3, reactionProbability: 0.5 });
    await s.setChannel('c1', { temperature: undefined });
    expect(s.channel('c1')).toEqual({ reactionProbability: 0.5 });
    await s.setChannel('c1', { reactionProbability: undefined });
    expect(s.data().channels).toEqual({});
    expect(readJson(file).channels).toEqual({});
  });

  test('invalid values are rejected with the key named and nothing changes', async () => {
    const s = await createStateStore(file);
    await s.setChannel('c1', { temperature: 1 });
    await expect(s.setChannel('c1', { temperature: 5 })).rejects.toThrow(/channel\.temperature must be <= 2/);
    await expect(s.update((d) => void (d.channels.c1 = { replyProbability: 3 }))).rejects.toThrow(/replyProbability/);
    await expect(s.setGuild('__proto__', { prefix: '?' })).rejects.toThrow(TypeError);
    expect(s.channel('c1')).toEqual({ temperature: 1 });
    expect(readJson(file).channels).toEqual({ c1: { temperature: 1 } });
  });

  test('data() is frozen and getters return detached copies', async () => {
    const s = await createStateStore(file);
    await s.setGuild('g', { prefix: '$' });
    expect(() => {
      (s.data().guilds as Record<string, { prefix?: string }>).g!.prefix = 'x';
    }).toThrow(TypeError);
    const copy = s.guild('g');
    copy.prefix = 'y';
    expect(s.guild('g').prefix).toBe('$');
  });

  test('concurrent updates are serialized and none is lost', async () => {
    const s = await createStateStore(file, { backupIntervalMs: 0 });
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 50; i++) {
      jobs.push(
        s.update((d) => void ((d as unknown as { counter?: number }).counter = ((d as unknown as { counter?: number }).counter ?? 0) + 1)),
      );
      jobs.push(s.setUser(`u${i}`, { replyPrefix: `p${i}` }));
    }
    jobs.push(
      s
        .update(() => {
          throw new Error('one failing update');
        })
        .catch(() => undefined),
    );
    await Promise.all(jobs);
    await s.flush();
    const reopened = await createStateStore(file);
    expect((reopened.data() as unknown as { counter: number }).counter).toBe(50);
    expect(Object.keys(reopened.data().users)).toHaveLength(50);
    expect(reopened.user('u49')).toEqual({ replyPrefix: 'p49' });
  });
});

describe('state store backups and recovery', () => {
  test('backups rotate and stay bounded to N; the file write is atomic (no temp file left)', async () => {
    const s = await createStateStore(file, { backups: 3, backupIntervalMs: 0 });
    for (let i = 1; i <= 6; i++) await s.setGuild('g', { prefix: `p${i}` });
    const names = readdirSync(join(dir, 'state')).sort();
    expect(names).toEqual(['eos.json', 'eos.json.bak.1', 'eos.json.bak.2', 'eos.json.bak.3']);
    const prefixOf = (p: string) => (readJson(p).guilds as Record<string, { prefix: string }>).g!.prefix;
    expect(prefixOf(file)).toBe('p6');
    expect(prefixOf(`${file}.bak.1`)).toBe('p5');
    expect(prefixOf(`${file}.bak.3`)).toBe('p3');
  });

  test('default interval backs up at most once per minute', async () => {
    const s = await createStateStore(file, { backups: 3 });
    for (let i = 1; i <= 4; i++) await s.setGuild('g', { prefix: `p${i}` });
    // first write had no previous file, second made .bak.1, later ones were within the minute
    expect(readdirSync(join(dir, 'state')).sort()).toEqual(['eos.json', 'eos.json.bak.1']);
  });

  test('a corrupt file is moved aside and the newest parseable backup is used, with a warning', async () => {
    const s = await createStateStore(file, { backups: 3, backupIntervalMs: 0 });
    for (let i = 1; i <= 3; i++) await s.setChannel('c', { temperature: i / 10 });
    writeFileSync(file, '{"guilds": {"g": ');
    writeFileSync(`${file}.bak.1`, 'also broken');
    const out = new PassThrough();
    const chunks: string[] = [];
    out.on('data', (c: Buffer) => chunks.push(c.toString()));
    const log = createLogger({ level: 'info', destination: out, consoleFormat: 'json' });
    const r = await createStateStore(file, { backups: 3, logger: log });
    await closeLogger(log);
    expect(r.loaded.source).toBe('backup');
    expect(r.loaded.backup).toBe(`${file}.bak.2`);
    expect(r.channel('c')).toEqual({ temperature: 0.1 });
    expect(readJson(file).channels).toEqual({ c: { temperature: 0.1 } });
    const corrupt = readdirSync(join(dir, 'state')).filter((n) => n.startsWith('eos.json.corrupt-'));
    expect(corrupt).toHaveLength(1);
    expect(readFileSync(join(dir, 'state', corrupt[0]!), 'utf8')).toBe('{"guilds": {"g": ');
    const warning = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(warning.some((w) => w.level === 40 && w.msg.includes('restored from backup'))).toBe(true);
  });

  test('corrupt file without usable backups starts empty and never crashes', async () => {
    const stateDir = join(dir, 'state');
    const s = await createStateStore(file);
    await s.setGuild('g', { prefix: '?' });
    writeFileSync(file, JSON.stringify({ guilds: { g: { prefix: 42 } } }));
    const r = await createStateStore(file, { backups: 2 });
    expect(r.loaded.source).toBe('empty');
    expect(r.data().guilds).toEqual({});
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(stateDir).some((n) => n.startsWith('eos.json.corrupt-'))).toBe(true);
    await r.setGuild('g', { prefix: '!' });
    expect(r.guild('g')).toEqual({ prefix: '!' });
  });
});
