import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { resolveConfined } from '../../../src/files/confine.js';

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
  ['parent of the root', '../secret.txt'],
  ['traversal after the root', 'datasets/../../secret.txt'],
  ['deep traversal', 'datasets/default/../../../secret.txt'],
  ['traversal at the end', 'datasets/default/positive.jsonl/..'],
  ['dot segment', 'datasets/./default/positive.jsonl'],
  ['leading dot segment', './datasets/default/positive.jsonl'],
  ['many dots', '....//secret.txt'],
  ['absolute', '/etc/passwd'],
  ['absolute into the root', 'ABS'],
  ['backslash traversal', 'datasets\\..\\..\\secret.txt'],
  ['UNC path', '\\\\server\\share\\secret.txt'],
  ['NUL byte', 'datasets/default/positive.jsonl\u0000.png'],
  ['newline', 'datasets/default/positive.jsonl\n'],
  ['encoded dots', '%2e%2e/secret.txt'],
  ['encoded dots after the root', 'datasets/%2e%2e/%2e%2e/secret.txt'],
  ['encoded slashes', 'datasets%2f..%2f..%2fsecret.txt'],
  ['mixed-case encoding', 'datasets/%2E%2E%2F%2e%2E/secret.txt'],
  ['double-encoded', 'datasets/%252e%252e/%252e%252e/secret.txt'],
  ['encoded NUL', 'datasets/default/positive.jsonl%00'],
  ['overlong UTF-8 encoding', 'datasets/%c0%ae%c0%ae/secret.txt'],
  ['fullwidth dots', 'datasets/\uff0e\uff0e/\uff0e\uff0e/secret.txt'],
  ['fullwidth solidus', 'datasets\uff0f..\uff0f..\uff0fsecret.txt'],
  ['two-dot leader', 'datasets/\u2025/\u2025/secret.txt'],
  ['one-dot leader', 'datasets/default/positive\u2024jsonl'],
  ['fullwidth letters', 'ｄａｔａｓｅｔｓ/default/positive.jsonl'],
  ['cyrillic look-alike', 'datasets/def\u0430ult/positive.jsonl'],
  ['combining character', 'datasets/de\u0301fault/positive.jsonl'],
  ['windows drive', 'C:/Windows/win.ini'],
  ['drive-relative', 'c:secret.txt'],
  ['home', '~/secret.txt'],
  ['other home', '~root/.ssh/id_rsa'],
  ['file URL', 'file:///etc/passwd'],
  ['alternate data stream', 'datasets/default/positive.jsonl:$DATA'],
  ['root alone', 'datasets'],
  ['directory', 'datasets/default'],
  ['trailing slash', 'datasets/default/'],
  ['double slash', 'datasets//default/positive.jsonl'],
  ['leading space', ' datasets/default/positive.jsonl'],
  ['space inside', 'datasets/ default/positive.jsonl'],
  ['hidden file', 'datasets/.env'],
  ['symlink to outside (absolute)', 'datasets/default/leak.jsonl'],
  ['symlink to outside (relative)', 'datasets/default/rel-leak.jsonl'],
  ['directory symlink to outside', 'datasets/escape/secret.txt'],
  ['symlink loop', 'datasets/default/loop1'],
  ['socket (not a regular file)', 'datasets/default/sock'],
  ['folder that is not a root', 'logs/app.log'],
  ['prototype key as root', '__proto__/x'],
  ['inherited key as root', 'constructor/prototype'],
  ['root name in another case', 'Datasets/default/positive.jsonl'],
  ['missing file', 'datasets/default/nope.jsonl'],
  ['overlong', `datasets/${'a/'.repeat(300)}x`],
];

describe('resolveConfined refuses', () => {
  test('more than 30 hostile variants', () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
  });

  test.each(hostile)('%s', async (_label, requested) => {
    const input = requested === 'ABS' ? path.join(roots.datasets!, 'default', 'positive.jsonl') : requested;
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
