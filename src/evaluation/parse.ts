/**
 * parseSuite: JSON text (a `!test` message, an attachment or a file for `eos test`) → test cases.
 * Input is bounded (MAX_SUITE_BYTES, MAX_JSON_DEPTH) before JSON.parse; a byte-order mark and a
 * Markdown fence around the JSON are tolerated. Syntax errors say where: "Invalid JSON at line 3,
 * column 7: Expected ':' after property name".
 */
import { blankCodeFence, findExcessDepth, jsonErrorPosition, jsonErrorReason, positionAt } from './json-text.js';
import { validateSuite } from './schema.js';
import type { ParseResult } from './types.js';

export const MAX_SUITE_BYTES = 1024 * 1024;
/** Array of cases (1) → case (2) → messages/assert (3) → item (4); anything much deeper is not a suite. */
export const MAX_JSON_DEPTH = 16;

export function parseSuite(text: string): ParseResult {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SUITE_BYTES) {
    return { ok: false, error: `suite too large (${bytes} bytes, at most ${MAX_SUITE_BYTES})` };
  }
  const body = blankCodeFence(text.startsWith('\uFEFF') ? text.slice(1) : text);
  if (body.trim() === '') return { ok: false, error: 'the suite is empty: expected a JSON array of cases' };
  const deep = findExcessDepth(body, MAX_JSON_DEPTH);
  if (deep >= 0) {
    const p = positionAt(body, deep);
    return { ok: false, error: `JSON nested too deeply (more than ${MAX_JSON_DEPTH} levels) at line ${p.line}, column ${p.column}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (err) {
    return { ok: false, error: describeSyntaxError(err, body) };
  }
  return validateSuite(value);
}

function describeSyntaxError(err: unknown, text: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const where = jsonErrorPosition(message, text);
  const reason = jsonErrorReason(message);
  return where ? `Invalid JSON at line ${where.line}, column ${where.column}: ${reason}` : `Invalid JSON: ${reason}`;
}
