import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolveConfined } from '../../../src/files/confine.js';
import { PATH_TRAVERSAL_VARIANTS } from '../../fixtures/traversal-variants.js';

let base: string;
let roots: Record<string, string>;
let socketServer: Server;

beforeAll(async () => {
  base = await realpath(await mkdtemp(path.join(tmpdir(), 'eos-confine-')));
  const data = path.join(base, 'data');
  roots = {
    datasets: path.join(data, 'datasets'),
    archives: path.join(data, 'archives'),
    instructions: path.join(base, 'instructions-link'), // the root itself may be a symlink
  };
  await mkdir(path.join(roots.datasets!, 'default'), { recursive: true });
  await mkdir(path.join(roots.datasets!, 'Default'), { recursive: true });
  await mkdir(roots.archives!, { recursive: true });
  await mkdir(path.join(base, 'instructions-real'));
  await symlink(path.join(base, 'instructions-real'), roots.instructions!);
  await mkdir(path.join(data, 'logs'));
  await writeFile(path.join(base, 'secret.txt'), 'outside');
  await writeFile(path.join(data, 'logs', 'app.log'), 'log');
  await writeFile(path.join(roots.datasets!, 'default', 'positive.jsonl'), '{"messages":[]}\n');
  await writeFile(path.join(roots.datasets!, '.env'), 'KEY=1');
  await writeFile(path.join(roots.archives!, 'all-20250101-000000.zip'), 'PK');
  await writeFile(path.join(base, 'instructions-real', 'admin.md'), '# admin');
  await symlink(path.join(base, 'secret.txt'), path.join(roots.datasets!, 'default', 'leak.jsonl'));
  await symlink('../../../secret.txt', path.join(roots.datasets!, 'default', 'rel-leak.jsonl'));
  await symlink(base, path.join(roots.datasets!, 'escape'));
  await symlink('positive.jsonl', path.join(roots.datasets!, 'default', 'alias.jsonl'));
  await symlink('loop2', path.join(roots.datasets!, 'default', 'loop1'));
  await symlink('loop1', path.join(roots.datasets!, 'default', 'loop2'));
  socketServer = createServer();
  await new Promise<void>((resolve) => socketServer.listen(path.join(roots.datasets!, 'default', 'sock'), resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => socketServer.close(() => resolve()));
  await rm(base, { recursive: true, force: true });
});

const hostile: [string, string][] = [
  ['empty', ''],
  ...PATH_TRAVERSAL_VARIANTS,
  ['newline', 'datasets/default/positive.jsonl\n'],
  ['leading space', ' datasets/default/positive.jsonl'],
  ['socket (not a regular file)', 'datasets/default/sock'],
  ['folder that is not a root', 'logs/app.log'],
];

describe('resolveConfined refuses', () => {
  test('more than 30 hostile variants', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
  });

  test.each(hostile)('%s', async (_label, requested) => {
    const input = requested === '{ABS}' ? path.join(roots.datasets!, 'default', 'positive.jsonl') : requested;
    const result = await resolveConfined(roots, input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.length).toBeGreaterThan(3);
  });

  test('says why: traversal, encoding, look-alikes and escaping symlinks', async () => {
    const reason = async (p: string) => {
      const r = await resolveConfined(roots, p);
      return r.ok ? 'ACCEPTED' : r.reason;
    };
    expect(await reason('datasets/../../secret.txt')).toMatch(/\.\./);
    expect(await reason('%2e%2e/secret.txt')).toMatch(/encoded/i);
    expect(await reason('datasets/\uff0e\uff0e/secret.txt')).toMatch(/look-alike/);
    expect(await reason('datasets/default/leak.jsonl')).toMatch(/outside/);
    expect(await reason('datasets/default')).toMatch(/folder/);
    expect(await reason('logs/app.log')).toMatch(/archives, datasets, instructions/);
  });
});

describe('resolveConfined accepts', () => {
  test.each([
    ['datasets/default/positive.jsonl', 'datasets', ['data', 'datasets', 'default', 'positive.jsonl']],
    ['archives/all-20250101-000000.zip', 'archives', ['data', 'archives', 'all-20250101-000000.zip']],
    ['instructions/admin.md', 'instructions', ['instructions-real', 'admin.md']],
    ['datasets/default/alias.jsonl', 'datasets', ['data', 'datasets', 'default', 'positive.jsonl']],
  ])('%s', async (requested, root, parts) => {
    const result = await resolveConfined(roots, requested);
    expect(result).toMatchObject({ ok: true, root, path: path.join(base, ...parts) });
    if (result.ok) expect(result.size).toBeGreaterThan(0);
  });

  test('an empty roots table accepts nothing', async () => {
    expect((await resolveConfined({}, 'datasets/default/positive.jsonl')).ok).toBe(false);
  });
});
