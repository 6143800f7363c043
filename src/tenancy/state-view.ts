import type { StateStore, TrainingSettings } from '../state/store.js';

/** Training settings a server owns (the rest, e.g. the chat model and the followed job, stay the bot's). */
const PER_GUILD = ['activeDataset', 'trainKind'] as const;

/**
 * The state as one server sees it: `training()` reads its active dataset and default `!train` kind
 * from `guilds.<id>`, and `setTraining()` writes them there; everything else is the shared store.
 * With `ownModel` (fine-tuning delegated to server admins) the chat model is the server's own too:
 * `!train use` there changes that server only, and a bot-wide switch does not reach it.
 */
export function tenantState(state: StateStore, guildId: string, opts: { ownModel?: boolean } = {}): StateStore {
  const keys: readonly string[] = opts.ownModel ? [...PER_GUILD, 'chatModel'] : PER_GUILD;
  return {
    ...state,
    training(): TrainingSettings {
      const own = state.guild(guildId);
      const merged: TrainingSettings = { ...state.training() };
      for (const key of keys) delete merged[key as keyof TrainingSettings];
      if (own.activeDataset !== undefined) merged.activeDataset = own.activeDataset;
      if (own.trainKind !== undefined) merged.trainKind = own.trainKind;
      if (opts.ownModel && own.chatModel !== undefined) merged.chatModel = own.chatModel;
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
