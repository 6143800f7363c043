/**
 * Dataset names: letters, digits, '-' and '_' (1..64), compared without case (`Mixed` and `mixed`
 * are one dataset). Refused: `all` and `servers` (every dataset in `!archive all`, every server's in `!archive servers`) and the device names
 * Windows cannot store as folders or zip entries (CON, PRN, AUX, NUL, COM0-9, LPT0-9).
 */
import { UserError } from '../core/errors.js';
import { DATASET_NAME } from './types.js';

const RESERVED = /^(all|servers|con|prn|aux|nul|com\d|lpt\d|conin\$|conout\$)$/i;

export function isReservedDatasetName(name: string): boolean {
  return RESERVED.test(name);
}

/** The name when it is valid and not reserved; throws UserError otherwise. */
export function checkDatasetName(name: unknown): string {
  if (typeof name !== 'string' || !DATASET_NAME.test(name)) {
    throw new UserError('InvalidDatasetName', 'Dataset names use letters, digits, - and _ (at most 64).');
  }
  if (isReservedDatasetName(name)) {
    throw new UserError('ReservedDatasetName', `"${name}" is a reserved word and cannot name a dataset; pick another name.`);
  }
  return name;
}

/** A valid name that may also be reserved (existing folders made before names were checked stay usable). */
export function isDatasetFolderName(name: string): boolean {
  return DATASET_NAME.test(name);
}

/** The existing name equal to `name` without case, else `name`. */
export function sameName(existing: readonly string[], name: string): string {
  if (existing.includes(name)) return name;
  const lower = name.toLowerCase();
  return existing.find((n) => n.toLowerCase() === lower) ?? name;
}
