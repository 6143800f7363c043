import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config.js';
import type { StateStore } from '../state/store.js';
import type { CandidateStore } from '../datasets/candidates.js';
import type { Embedder } from '../llm/embeddings.js';
import { DatasetStore } from '../datasets/store.js';
import { activeDatasetFromState } from '../datasets/active.js';
import { JsonlExampleMemory, type ExampleMemory } from '../memory/examples.js';
import { FeedbackService } from '../training/feedback.js';
import { ResultStore } from '../evaluation/index.js';
import { TenantContext, type EventActor } from './context.js';
import { TenantDirectory, type MemberRules, type Tenant } from './directory.js';
import { memberDatasets, memberFeedback } from './members.js';
import { tenantPaths } from './layout.js';
import { tenantState } from './state-view.js';

export interface TenantWiring {
  config: AppConfig;
  state: StateStore;
  /** The owners' tenant, built at start by buildTrainingServices from the top-level folders. */
  owners: { datasets: DatasetStore; feedback: FeedbackService; memory: ExampleMemory; evaluations: ResultStore };
  candidates: CandidateStore;
  embedder: Embedder | null;
  /** Called for every FeedbackService made (e.g. to apply decisions to live history). */
  onFeedback: (f: FeedbackService) => void;
  log: Logger;
  /** Server admins and bot owners (their contributions apply at once). */
  isAdmin: (actor: EventActor) => boolean;
  /** Keyed hash naming a contributor in a server (privacy key; no IDs). */
  whoKey: (guildId: string, userId: string) => string;
  /** The event's server (shared with the candidate router, which follows it); default a new one. */
  context?: TenantContext;
}

/** Per-server datasets, feedback, memory and evaluations, made on a server's first event. */
export function buildTenants(w: TenantWiring): TenantDirectory {
  const { config, state, log } = w;
  const owners: Tenant = {
    guildId: null,
    ...w.owners,
    state,
    pending: w.owners.datasets,
    paths: { datasets: config.paths.datasets, archives: config.paths.archives },
  };
  const names = { privacy: config.bot.training.redact };
  const make = (guildId: string): Tenant => {
    const p = tenantPaths(config.dataDir, guildId);
    const view = tenantState(state, guildId, { ownModel: config.bot.training.fineTuneByServerAdmins });
    const tlog = log.child({ guild: guildId });
    const datasets = new DatasetStore({
      root: p.datasets,
      active: activeDatasetFromState(view),
      log: tlog.child({ component: 'datasets' }),
      names,
    });
    // No init() here: each dataset is repaired and reconciled on its first use (a background init raced the first commit).
    const feedback = new FeedbackService(datasets, w.candidates, tlog.child({ component: 'feedback' }));
    w.onFeedback(feedback);
    const memory = new JsonlExampleMemory(p.datasets, () => datasets.activeName(), {
      embedder: w.embedder,
      cacheDir: path.join(p.root, 'cache', 'embeddings'),
      log: tlog.child({ component: 'memory' }),
    });
    const pending = new DatasetStore({
      root: path.join(p.root, 'pending'),
      log: tlog.child({ component: 'pending' }),
      names,
      active: { get: () => datasets.activeName(), set: async () => undefined },
    });
    return {
      guildId,
      datasets,
      feedback,
      memory,
      evaluations: new ResultStore({ dir: p.evaluations }),
      state: view,
      paths: { datasets: p.datasets, archives: p.archives, pending: path.join(p.root, 'pending') },
      pending,
    };
  };
  const rules: MemberRules = {
    trusted: (guildId, actor) => w.isAdmin(actor) || state.guild(guildId).trustMembers === true,
    member: (t, actor) => {
      const datasets = memberDatasets(t.datasets, t.pending, { name: actor.name, key: w.whoKey(t.guildId ?? 'dm', actor.userId) });
      const pendingFeedback = new FeedbackService(
        datasets,
        w.candidates,
        log.child({ component: 'feedback', guild: t.guildId, pending: true }),
      );
      return { datasets, feedback: memberFeedback(t.feedback, pendingFeedback) };
    },
  };
  return new TenantDirectory(owners, make, w.context ?? new TenantContext(), rules);
}
