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
  /** Saves of one job run one after the other (a trainer can end while its first save is still being written). */
  private readonly chains = new Map<string, Promise<void>>();
  private writes = 0;

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

  /** Writes job.json whole (temp file + rename), in call order; the content is taken at call time. */
  save(job: LocalJob): Promise<void> {
    const file = path.join(this.dir(job.id), 'job.json');
    const text = `${JSON.stringify(job, null, 2)}\n`;
    const tmp = `${file}.${process.pid}.${++this.writes}.tmp`;
    const next = (this.chains.get(job.id) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        await writeFile(tmp, text);
        await rename(tmp, file);
      });
    this.chains.set(job.id, next);
    void next
      .finally(() => {
        if (this.chains.get(job.id) === next) this.chains.delete(job.id);
      })
      .catch(() => undefined);
    return next;
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
