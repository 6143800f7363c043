/**
 * Parses what follows `!test` (and the slash options folded into the same text):
 *   history                                  → the eval history chart
 *   [--raw | --chat] [--compare <A> <B>] last  → the last stored suite again
 *   [--raw | --chat] [--compare <A> <B>] <json> (or an attached .json file)
 * Model names are single words (quotes allowed); A is the baseline, B the candidate.
 */
import { tokenize } from '../core/args.js';

export type TestRequest =
  | { kind: 'history' }
  | { kind: 'run'; source: 'last' | 'inline' | 'attachment'; json: string; mode?: 'chat' | 'raw'; compare?: [string, string] };

export function parseTestRequest(text: string): TestRequest | { kind: 'error'; message: string } {
  let rest = text.trim();
  let mode: 'chat' | 'raw' | undefined;
  let compare: [string, string] | undefined;
  for (;;) {
    const flag = /^(--raw|--chat|--compare)\b\s*/i.exec(rest);
    if (!flag) break;
    rest = rest.slice(flag[0].length);
    const name = flag[1]!.toLowerCase();
    if (name === '--compare') {
      const { tokens, offsets } = tokenize(rest);
      const [a, b] = tokens;
      if (!a || !b || a.startsWith('--') || b.startsWith('--') || a.startsWith('[') || b.startsWith('[')) {
        return {
          kind: 'error',
          message: 'Name two models after `--compare`: `test --compare <old-model> <new-model> last` (or with a suite).',
        };
      }
      compare = [a, b];
      const after = offsets[2];
      rest = after === undefined ? '' : rest.slice(after);
    } else mode = name === '--raw' ? 'raw' : 'chat';
  }
  rest = rest.trim();
  if (/^history$/i.test(rest) && !compare && !mode) return { kind: 'history' };
  const extra = { ...(mode ? { mode } : {}), ...(compare ? { compare } : {}) };
  if (/^last$/i.test(rest)) return { kind: 'run', source: 'last', json: '', ...extra };
  const json = rest.replace(/^```(?:json)?\s*|\s*```$/g, '');
  return { kind: 'run', source: json ? 'inline' : 'attachment', json, ...extra };
}
