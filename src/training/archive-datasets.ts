import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandContext } from '../core/command.js';
import type { ArchiveResult } from '../archive/index.js';
import { ATTACHMENT_LIMIT, formatBytes } from '../chat/attachments.js';
import type { DatasetManifest } from '../datasets/types.js';

/** Records in a dataset, all files together. */
export function recordCount(m: DatasetManifest): number {
  return m.counts.positive + m.counts.negative + m.counts.preference;
}

/** Zips the named datasets into archives/ (streaming), each as of one moment between commits (manifest agrees with files). */
export async function archiveDatasets(ctx: CommandContext, names: string[]): Promise<ArchiveResult> {
  const { config, datasets } = ctx.services;
  const snapshot = (name: string) => datasets.snapshot(name);
  // imported on first use: archiver and its dependencies are 134 modules (~20 MiB) a bot that never archives does not need
  const { createArchive } = await import('../archive/index.js');
  const result = await createArchive({ datasetsDir: config.paths.datasets, archivesDir: config.paths.archives, names, snapshot });
  ctx.log.info({ file: path.basename(result.path), bytes: result.bytes, files: result.files, ms: result.ms }, 'archived');
  return result;
}

/** Uploads the zip when it fits Discord's limit, else says where it is. */
export async function replyWithArchive(ctx: CommandContext, result: ArchiveResult, label: string): Promise<void> {
  const name = path.basename(result.path);
  const summary = `Archived ${label}: \`archives/${name}\` (${result.files} files, ${formatBytes(result.bytes)}).`;
  if (result.bytes > ATTACHMENT_LIMIT) {
    await ctx.reply(`${summary} It is over Discord's ${formatBytes(ATTACHMENT_LIMIT)} limit, so it stays on the server.`);
    return;
  }
  await ctx.reply({ content: summary, files: [{ name, data: await readFile(result.path) }] });
}
