/**
 * After a fine-tune succeeds: offer to run the last test suite on the new model against the old one.
 * Called from the fine-tune follower's onSucceeded hook (wired in src/app.ts); posts one message
 * in the job's channel with the exact command to run, or nothing when no suite was ever run.
 */
import type { ChatSurface } from '../chat/types.js';
import type { ResultStore } from './store.js';

export interface ComparisonOffer {
  channelId: string;
  /** The fine-tuned model. */
  newModel: string;
  /** The model used before (the chat model, or the configured default). */
  oldModel: string;
  prefix: string;
}

/** The offer's text, or null when there is no stored suite. */
export async function comparisonOfferText(store: ResultStore, o: Omit<ComparisonOffer, 'channelId'>): Promise<string | null> {
  const suite = await store.lastSuite();
  if (!suite || o.newModel === o.oldModel) return null;
  return (
    `🧪 \`${o.newModel}\` is ready. Run your last test suite (${suite.length} case${suite.length === 1 ? '' : 's'}) on it against \`${o.oldModel}\`:\n` +
    `\`${o.prefix}test --compare ${o.oldModel} ${o.newModel} last\``
  );
}

/** Posts the offer; true when it was posted. Never throws. */
export async function offerSuiteComparison(deps: { store: ResultStore; surface: ChatSurface }, o: ComparisonOffer): Promise<boolean> {
  try {
    const text = await comparisonOfferText(deps.store, o);
    if (!text) return false;
    await deps.surface.send(o.channelId, { content: text });
    return true;
  } catch {
    return false;
  }
}
