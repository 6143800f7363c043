/** The folders of local trainer jobs: job.json (rewritten atomically), output.log, the files the trainer reads. */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JobStatus } from '../types.js';

export interface LocalJob {
  id: string;
  status: JobStatus;
  model: string;
  servedModel: string;
  error: string | null;
  exitCode: number | null;
  /** Process id of the trainer while it runs (another Eos process, e.g. the CLI, may own it). */
  pid: number | null;
  createdAt: string;
  finishedAt: string | null;
}

export class LocalJobStore {
  constructor(private readonly root: string) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  /** Everything the trainer printed so far ('' when nothing). */
  output(id: string): Promise<string> {
    return readFile(path.join(this.dir(id), 'output.log'), 'utf8').catch(() => '');
  }

  async read(id: string): Promise<LocalJob | null> {
    try {
      return JSON.parse(await readFile(path.join(this.dir(id), 'job.json'), 'utf8')) as LocalJob;
    } catch {
      return null;
    }
  }

  async save(job: LocalJob): Promise<void> {
    const file = path.join(this.dir(job.id), 'job.json');
    await writeFile(`${file}.tmp`, `${JSON.stringify(job, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  }
}

/** Whether a process with this id exists (signal 0 probes without signalling). */
export function alive(pid: number | null): boolean {
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
