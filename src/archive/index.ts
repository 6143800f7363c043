export { createArchive, timestamp, type ArchiveResult, type CreateArchiveOptions } from './create.js';
export { listArchives, type ArchiveInfo } from './list.js';
