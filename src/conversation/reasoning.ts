/**
 * Reasoning blocks of "thinking" models (`<think>…</think>`, `<thinking>`, `<reasoning>`,
 * `<reflection>`): split from the visible answer, also while streaming. An unclosed block hides
 * the rest of the text; a closing tag without an opening one (models whose template opens the
 * block in the prompt) makes everything before it reasoning.
 */
const NAMES = ['think', 'thinking', 'reasoning', 'reflection'];
const OPEN = new RegExp(`<(${NAMES.join('|')})>`, 'i');
const STRAY_CLOSE = new RegExp(`</(${NAMES.join('|')})>`, 'i');
const OPEN_TAGS = NAMES.map((n) => `<${n}>`);

export interface SplitReasoning {
  visible: string;
  /** The blocks' inner texts, joined by blank lines ('' when there were none). */
  reasoning: string;
}

export function splitReasoning(text: string): SplitReasoning {
  const blocks: string[] = [];
  let rest = text;
  const stray = STRAY_CLOSE.exec(rest);
  const firstOpen = OPEN.exec(rest);
  if (stray && (!firstOpen || stray.index < firstOpen.index)) {
    blocks.push(rest.slice(0, stray.index));
    rest = rest.slice(stray.index + stray[0].length);
  }
  let visible = '';
  for (let open = OPEN.exec(rest); open; open = OPEN.exec(rest)) {
    visible += rest.slice(0, open.index);
    const after = rest.slice(open.index + open[0].length);
    const close = new RegExp(`</${open[1]}>`, 'i').exec(after);
    blocks.push(close ? after.slice(0, close.index) : after);
    rest = close ? after.slice(close.index + close[0].length) : '';
  }
  visible += rest;
  if (blocks.length === 0) return { visible: text, reasoning: '' };
  return {
    visible: visible.replace(/^\s+/, ''),
    reasoning: blocks
      .map((b) => b.trim())
      .filter(Boolean)
      .join('\n\n'),
  };
}

/** Length of a tail of `text` that could still become an opening tag ("<", "<thi", …). */
function partialTag(text: string): number {
  const lt = text.lastIndexOf('<');
  if (lt < 0) return 0;
  const tail = text.slice(lt).toLowerCase();
  return OPEN_TAGS.some((t) => t.startsWith(tail) && t !== tail) ? text.length - lt : 0;
}

/**
 * Passes on only the visible text of a stream. Text is held back while it might be the start of
 * a tag. A later stray closing tag cannot take back text already passed on: callers compare the
 * final `splitReasoning` with what was shown and correct it.
 */
export async function* visibleDeltas(deltas: AsyncIterable<string>): AsyncIterable<string> {
  let raw = '';
  let shown = '';
  for await (const delta of deltas) {
    raw += delta;
    const settled = raw.slice(0, raw.length - partialTag(raw));
    const { visible } = splitReasoning(settled);
    if (visible.length > shown.length && visible.startsWith(shown)) {
      yield visible.slice(shown.length);
      shown = visible;
    }
  }
  const { visible } = splitReasoning(raw);
  if (visible.length > shown.length && visible.startsWith(shown)) yield visible.slice(shown.length);
}

/** How a reasoning block is written into a training record when `reasoning.train` is on. */
export function withReasoning(reply: string, reasoning: string | undefined): string {
  return reasoning ? `<think>\n${reasoning}\n</think>\n\n${reply}` : reply;
}
