/**
 * The real bot as a child process: `node --import tsx src/main.ts` (not node_modules/.bin/tsx, whose CLI runs
 * the script in a grandchild that a signal sent to the CLI process would not reach).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PROJECT_ROOT } from '../e2e/harness.js';
import { readJsonl } from '../../src/datasets/jsonl.js';

export interface BotProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts src/main.ts with only `env` among the DISCORD_/OPENAI_/EOS_ variables. */
export function spawnBot(env: Record<string, string>, opts: { stdin?: 'pipe' | 'ignore' } = {}): BotProcess {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_)/.test(k)));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'src/main.ts')], {
    cwd: PROJECT_ROOT,
    env: { ...clean, ...env },
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Kills the child if it is still running (test cleanup). */
export function ensureDead(bot: BotProcess | undefined): void {
  if (bot && bot.child.exitCode === null && bot.child.signalCode === null) bot.child.kill('SIGKILL');
}

export interface DatasetContents {
  /** First user message content of every record, per file. */
  firsts: Record<'positive' | 'negative' | 'preference', string[]>;
  /** Lines that did not parse, as "file:line". */
  broken: string[];
  /** manifest.json counts as written on disk (null when there is no manifest). */
  manifestCounts: Record<string, number> | null;
}

/** Reads `<datasetsRoot>/<name>/*.jsonl` and manifest.json as they are on disk. */
export async function readDataset(datasetsRoot: string, name = 'default'): Promise<DatasetContents> {
  const firsts: DatasetContents['firsts'] = { positive: [], negative: [], preference: [] };
  const broken: string[] = [];
  for (const file of ['positive', 'negative', 'preference'] as const) {
    for await (const line of readJsonl(path.join(datasetsRoot, name, `${file}.jsonl`))) {
      if (line.error !== undefined) broken.push(`${file}:${line.line}`);
      else firsts[file].push(firstUserContent(line.value));
    }
  }
  const manifest = await readFile(path.join(datasetsRoot, name, 'manifest.json'), 'utf8').catch(() => null);
  const manifestCounts = manifest === null ? null : (JSON.parse(manifest) as { counts: Record<string, number> }).counts;
  return { firsts, broken, manifestCounts };
}

function firstUserContent(value: unknown): string {
  const v = value as { messages?: { role: string; content: string }[]; input?: { messages: { role: string; content: string }[] } };
  const messages = v.messages ?? v.input?.messages ?? [];
  return messages.find((m) => m.role === 'user')?.content ?? '';
}
