/**
 * Canned and status texts of the conversation: apologies, cut-off notes, and the offline model's
 * "not connected" answer. They are shown to users but are not conversation: never candidates for
 * the datasets, no 👍/👎 buttons, never in the channel history (see docs/DATA.md).
 */
import { NO_MATCH_REPLY } from '../llm/memory.js';

export const APOLOGIES: Readonly<Record<string, string>> = {
  timeout: 'Sorry, the language model took too long to answer. Please try again.',
  busy: "Sorry, I'm handling too many requests right now. Please try again in a moment.",
  'rate-limited': 'Sorry, the language model is rate-limiting me. Please try again in a moment.',
  empty: 'Sorry, the language model returned an empty reply. Please try again.',
  /** The endpoint answered 404 model_not_found (unknown or retired model): retrying cannot help, a setting must change. */
  model:
    'Sorry, the chat model is unavailable: the endpoint does not serve it (unknown or retired). An admin can set EOS_CHAT_MODEL to a current model, or `!train use default` if it was chosen with `!train use`.',
  /** Not an LLM failure (e.g. Discord kept refusing the message): don't blame the model. */
  error: 'Sorry, something went wrong while sending my reply. Please try again.',
};
export const DEFAULT_APOLOGY = "Sorry, I couldn't reach the language model just now. Please try again.";

export function cutOffNote(reason: string): string {
  const cause = reason === 'error' ? 'sending it failed' : 'the connection to the language model failed';
  return `(My reply was cut off: ${cause}.)`;
}

/** Appended (by an edit) to a reply that was still streaming when Eos shut down. */
export const SHUTDOWN_NOTE = '(Cut off: I was shut down mid-reply. Ask again in a moment.)';
/** Sent when Eos shut down before any part of the reply was shown. */
export const SHUTDOWN_APOLOGY = 'Sorry, I was shut down before I could answer. Ask again in a moment.';

const CANNED: ReadonlySet<string> = new Set([
  NO_MATCH_REPLY,
  ...Object.values(APOLOGIES),
  DEFAULT_APOLOGY,
  cutOffNote('error'),
  cutOffNote('llm'),
  SHUTDOWN_NOTE,
  SHUTDOWN_APOLOGY,
]);

/** True for a canned or status text (a model answer equal to one, e.g. the offline model's "not connected"). */
export function isCanned(text: string): boolean {
  return CANNED.has(text.trim());
}
