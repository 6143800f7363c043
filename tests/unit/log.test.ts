import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { childFor, closeLogger, createLogger } from '../../src/log.js';

const SECRET = 'MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.secret-token-value';
const KEY = 'sk-test-0123456789abcdef';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'eos-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

function fileText(logDir: string): string {
  return readdirSync(logDir)
    .map((f) => readFileSync(join(logDir, f), 'utf8'))
    .join('');
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createLogger redaction', () => {
  test('secrets in messages, nested objects, errors and bindings never reach file or console', async () => {
    const con = capture();
    const logDir = join(dir, 'logs');
    const log = createLogger({ level: 'debug', logDir, secrets: [SECRET, KEY], destination: con.stream, consoleFormat: 'json' });
    log.info(`connecting with ${SECRET}`);
    log.info('format arg %s here', KEY);
    log.warn({ req: { headers: { note: `Bearer ${KEY}` } }, list: ['ok', SECRET] }, 'nested');
    log.error(new Error(`login failed for ${SECRET}`), 'boom');
    log.error({ err: new TypeError(`bad key ${KEY}`) }, 'wrapped');
    childFor(log, { module: 'discord', auth: SECRET }).info('child line');
    log.info({ token: 'not-a-known-secret', apiKey: 'other' }, 'by key name');
    await closeLogger(log);

    const file = fileText(logDir);
    for (const text of [file, con.text()]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(KEY);
      expect(text).not.toContain('not-a-known-secret');
    }
    const lines = jsonLines(file);
    expect(lines).toHaveLength(7);
    expect(lines[0]?.msg).toBe('[redacted]');
    expect(lines[1]?.msg).toBe('format arg [redacted] here');
    expect(lines[2]).toMatchObject({ req: { headers: { note: '[redacted]' } }, list: ['ok', '[redacted]'] });
    expect(lines[3]).toMatchObject({ msg: 'boom', err: { type: 'Error', message: '[redacted]' } });
    expect(String((lines[3]?.err as { stack: string }).stack)).toContain('log.test.ts');
    expect(lines[4]).toMatchObject({ err: { type: 'TypeError', message: '[redacted]' } });
    expect(lines[5]).toMatchObject({ module: 'discord', auth: '[redacted]', msg: 'child line' });
    expect(lines[6]).toMatchObject({ token: '[redacted]', apiKey: '[redacted]' });
  });

  test('non-secret content is kept and compact console format is readable', async () => {
    const con = capture();
    const log = createLogger({ level: 'info', secrets: [KEY], destination: con.stream });
    childFor(log, { module: 'core' }).info({ n: 3 }, 'hello world');
    log.debug('hidden');
    await closeLogger(log);
    expect(con.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[core\] hello world \{"n":3\}\n$/);
  });

  test('console: false writes nothing to the destination', async () => {
    const con = capture();
    const logDir = join(dir, 'logs');
    const log = createLogger({ level: 'info', logDir, console: false, destination: con.stream });
    log.info('only in file');
    await closeLogger(log);
    expect(con.text()).toBe('');
    expect(fileText(logDir)).toContain('only in file');
  });
});

describe('createLogger rotation', () => {
  test('rolls files at the size limit and keeps at most `files` files', async () => {
    const logDir = join(dir, 'logs');
    const log = createLogger({ level: 'info', logDir, console: false, rotate: { size: 2048, files: 3 } });
    let maxSeen = 0;
    for (let i = 0; i < 300; i++) {
      log.info({ i, pad: 'x'.repeat(100) }, 'filler');
      if (i % 10 === 9) {
        // flush so each chunk reaches the file before the folder is listed
        await new Promise<void>((r) => log.flush(() => r()));
        maxSeen = Math.max(maxSeen, readdirSync(logDir).length);
      }
    }
    await closeLogger(log);
    const files = readdirSync(logDir).sort();
    expect(files.every((f) => /^eos\.\d+\.log$/.test(f))).toBe(true);
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.length).toBeLessThanOrEqual(3);
    // a roll opens the new file, then prunes: never more than `files` + 1 files at any moment.
    expect(maxSeen).toBeLessThanOrEqual(4);
    // Old files were deleted (numbers keep growing); read in number order, lines are in order and end with the last one.
    const numbers = files.map((f) => Number(f.split('.')[1])).sort((a, b) => a - b);
    expect(numbers.at(-1)).toBeGreaterThan(3);
    const kept = numbers.flatMap((n) => jsonLines(readFileSync(join(logDir, `eos.${n}.log`), 'utf8')));
    const seq = kept.map((l) => Number(l.i));
    expect(seq).toEqual([...seq].sort((a, b) => a - b));
    expect(seq.at(-1)).toBe(299);
    expect(seq.length).toBeLessThan(300);
  });
});
