/**
 * User-supplied regular expressions, compiled and run defensively.
 *
 * A pattern is either bare (`hello\s+world`, no flags) or a literal `/pattern/flags`. Patterns longer
 * than MAX_PATTERN_LENGTH are refused. Catastrophic backtracking (`(a+)+$`) is guarded twice: the
 * text matched is cut to MAX_REGEX_INPUT characters, and the match runs in a `node:vm` context with a
 * timeout (V8 interrupts the regex engine when the timeout fires), so a bad pattern costs at most
 * REGEX_TIMEOUT_MS of blocked event loop per check and fails that check instead of hanging the bot.
 */
import vm from 'node:vm';

export const MAX_PATTERN_LENGTH = 1_000;
export const MAX_REGEX_INPUT = 100_000;
export const REGEX_TIMEOUT_MS = 250;

const VALID_FLAGS = /^[dgimsuvy]*$/;

export type CompiledPattern = { ok: true; source: string; flags: string } | { ok: false; error: string };

/** Splits `/pattern/flags` or takes the whole string as the pattern, then checks that it compiles. */
export function compilePattern(value: string): CompiledPattern {
  if (value.length > MAX_PATTERN_LENGTH) return { ok: false, error: `pattern longer than ${MAX_PATTERN_LENGTH} characters` };
  const literal = /^\/(.+)\/([a-z]*)$/s.exec(value);
  const source = literal ? (literal[1] ?? '') : value;
  const flags = literal ? (literal[2] ?? '') : '';
  if (!VALID_FLAGS.test(flags)) return { ok: false, error: `invalid regex flags "${flags}"` };
  try {
    new RegExp(source, flags);
  } catch (err) {
    return { ok: false, error: `invalid regex: ${errorText(err)}` };
  }
  return { ok: true, source, flags };
}

export type RegexOutcome = { ok: true; matched: boolean } | { ok: false; error: string };

/** Whether `text` (first MAX_REGEX_INPUT characters) matches; never throws, never hangs. */
export function safeRegexTest(value: string, text: string, timeoutMs = REGEX_TIMEOUT_MS): RegexOutcome {
  const p = compilePattern(value);
  if (!p.ok) return p;
  const sandbox = vm.createContext({ source: p.source, flags: p.flags, text: text.slice(0, MAX_REGEX_INPUT) });
  try {
    const matched: unknown = vm.runInContext('new RegExp(source, flags).test(text)', sandbox, { timeout: timeoutMs });
    return { ok: true, matched: matched === true };
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { ok: false, error: `regex timed out after ${timeoutMs} ms` };
    return { ok: false, error: `regex failed: ${errorText(err)}` };
  }
}

/** Message of an error from any realm (errors thrown inside a vm context are not `instanceof Error` here). */
function errorText(err: unknown): string {
  const m = (err as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m : String(err);
}
