/** The active dataset name, kept in the state file (training.activeDataset, default 'default'). */
import type { StateStore } from '../state/store.js';
import type { ActiveDatasetRef } from './store.js';
import { DEFAULT_DATASET } from './types.js';

export function activeDatasetFromState(state: StateStore): ActiveDatasetRef {
  return {
    get: () => state.training().activeDataset ?? DEFAULT_DATASET,
    set: (name) => state.setTraining({ activeDataset: name }),
  };
}
