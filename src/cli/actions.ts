import path from 'node:path';
import type { CliContext } from './context.js';
import { createArchive } from '../archive/index.js';

export async function archive(ctx: CliContext, which?: string): Promise<number> {
  const all = (await ctx.datasets.list()).map((m) => m.name);
  const names = !which ? [ctx.datasets.activeName()] : which === 'all' ? all : [which];
  const r = await createArchive({ datasetsDir: ctx.config.paths.datasets, archivesDir: ctx.config.paths.archives, names });
  ctx.out(`${r.path} (${r.files} files, ${r.bytes} bytes, ${r.ms} ms)`);
  return 0;
}
