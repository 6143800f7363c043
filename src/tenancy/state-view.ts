import type { StateStore, TrainingSettings } from '../state/store.js';

/** Training settings a server owns (the rest, e.g. the chat model and the followed job, stay the bot's). */
const PER_GUILD = ['activeDataset', 'trainKind'] as const;
/** With delegated fine-tuning a server also owns its chat model and its fine-tuning job. */
const OWN_MODEL = ['chatModel', 'fineTuneJobId', 'fineTuneMessage', 'lastFineTunedModel'] as const;

/**
 * The state as one server sees it: `training()` reads its active dataset and default `!train` kind
 * from `guilds.<id>`, and `setTraining()` writes them there; everything else is the shared store.
 * With `ownModel` (fine-tuning delegated to server admins) the chat model and the followed fine-tuning
 * job are the server's own too: `!train use|start|status|cancel` there act on that server only, and a
 * bot-wide switch does not reach it. Under sharding these are written by the shard owning the server.
 */
export function tenantState(state: StateStore, guildId: string, opts: { ownModel?: boolean } = {}): StateStore {
  const keys: readonly string[] = opts.ownModel ? [...PER_GUILD, ...OWN_MODEL] : PER_GUILD;
  return {
    ...state,
    training(): TrainingSettings {
      const own = state.guild(guildId) as Record<string, unknown>;
      const merged: Record<string, unknown> = { ...state.training() };
      for (const key of keys) {
        delete merged[key];
        if (own[key] !== undefined) merged[key] = own[key];
      }
      return merged;
    },
    async setTraining(patch) {
      const mine: Record<string, unknown> = {};
      const rest: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(patch)) (keys.includes(k) ? mine : rest)[k] = v;
      if (Object.keys(mine).length > 0) await state.setGuild(guildId, mine);
      if (Object.keys(rest).length > 0) await state.setTraining(rest);
    },
  };
}
