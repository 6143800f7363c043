/**
 * Who is running on a data folder. A bot in one process (npm start, Discord or console) keeps `state/running.json`
 * ({pid, host, startedAt}) while it runs; a sharding manager keeps `shards/status-<name>.json` (state starting or
 * running, managerPid, updatedAt every 10 s). The CLI reads both to refuse commands that would be a second writer.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';

export interface RunFile {
  pid: number;
  host: string;
  startedAt: string;
  mode: string;
}

export function runFilePath(dataDir: string): string {
  return path.join(dataDir, 'state', 'running.json');
}

/** Writes the run file of this process; the returned function removes it (only while it is still ours). */
export async function claimRunFile(dataDir: string, mode: string): Promise<() => Promise<void>> {
  const file = runFilePath(dataDir);
  const body: RunFile = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), mode };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp-${process.pid}`, JSON.stringify(body));
  await rename(`${file}.tmp-${process.pid}`, file);
  return async () => {
    const now = await readJson<RunFile>(file);
    if (now?.pid === process.pid && now.host === body.host) await rm(file, { force: true });
  };
}

async function readJson<T>(file: string): Promise<T | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

function pidAlive(pid: unknown): boolean {
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface RunningCheck {
  host?: string;
  now?: number;
  alive?: (pid: unknown) => boolean;
  /** A status file of another host counts as live when updated this recently (its manager rewrites it every 10 s). */
  freshMs?: number;
}

/**
 * What runs on dataDir, or null: a process of this host counts while its pid lives; one of another host (a shared
 * data folder) while its status file is fresh (managers) or always (a single process's run file: no heartbeat).
 */
export async function runningBot(dataDir: string, c: RunningCheck = {}): Promise<string | null> {
  const host = c.host ?? hostname();
  const alive = c.alive ?? pidAlive;
  const now = c.now ?? Date.now();
  const single = await readJson<RunFile>(runFilePath(dataDir));
  if (single && (single.host !== host || alive(single.pid)))
    return `Eos (${single.mode}, pid ${single.pid} on ${single.host}, since ${single.startedAt})`;
  const dir = path.join(dataDir, 'shards');
  for (const name of (await readdir(dir).catch(() => [] as string[])).filter((n) => /^status-.+\.json$/.test(n)).sort()) {
    const s = await readJson<{ host?: string; managerPid?: number; state?: string; updatedAt?: string }>(path.join(dir, name));
    if (!s || (s.state !== 'running' && s.state !== 'starting')) continue;
    const live = s.host === host ? alive(s.managerPid) : now - Date.parse(s.updatedAt ?? '') < (c.freshMs ?? 60_000);
    if (live) return `the sharding manager (pid ${s.managerPid ?? '?'} on ${s.host ?? '?'}, ${s.state})`;
  }
  return null;
}
