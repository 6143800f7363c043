import type { AppConfig } from '../config.js';
import type { StateStore } from '../state/store.js';
import type { ChatSurface } from '../chat/types.js';
import type { AccessPolicy } from './access.js';
import type { CommandDefinition } from './command.js';
import type { InstructionLibrary } from './instructions.js';
import type { ChatModel } from '../llm/port.js';
import type { DatasetStore } from '../datasets/store.js';
import type { FeedbackService } from '../training/feedback.js';
import type { FineTuneService } from '../finetune/index.js';
import type { FineTuneFollower } from '../training/finetune-follower.js';
import type { ResultStore } from '../evaluation/index.js';
import type { ExampleMemory } from '../memory/examples.js';
import type { Embedder } from '../llm/embeddings.js';
import type { VoiceManager } from '../voice/discord/manager.js';
import type { ShardControl } from '../shard/types.js';
import type { OwnerOps } from '../shard/owner-ops.js';
import type { AdmissionGate } from './gate.js';
import type { PrivacyService } from '../privacy/consent.js';
import type { AuditLog } from '../privacy/audit.js';
import type { TenantDirectory } from '../tenancy/directory.js';

/** Everything a command may use. Built by the entry point and passed in; no module-level singletons. */
export interface BotServices {
  readonly config: AppConfig;
  readonly state: StateStore;
  readonly surface: ChatSurface;
  readonly access: AccessPolicy;
  readonly commands: ReadonlyMap<string, CommandDefinition>;
  readonly instructions: InstructionLibrary;
  readonly model: ChatModel;
  readonly datasets: DatasetStore;
  readonly feedback: FeedbackService;
  /** Null without an OpenAI-compatible endpoint. */
  readonly fineTune: FineTuneService | null;
  readonly follower: FineTuneFollower | null;
  readonly evaluations: ResultStore;
  /** Few-shot memory, for `!test`'s chat prompt path (absent: no few-shot in tests). */
  readonly memory?: ExampleMemory;
  /** Embeddings of the endpoint, for `similar` checks (absent or null: compared by words). */
  readonly embedder?: Embedder | null;
  /** Null in the console (no voice channels there). */
  readonly voice: VoiceManager | null;
  readonly startedAt: Date;
  /** Sharded runs: this shard and questions to every shard (src/shard); null/absent in one process. */
  readonly shards?: ShardControl | null;
  /** The owners' cross-server requests (`owner.*`): every shard's answer, or this one process's when unsharded. */
  readonly ownerOps?: OwnerOps;
  /** The admission gate every entry point uses (the router builds a permissive one when absent, e.g. in unit tests). */
  readonly gate?: AdmissionGate;
  /** Consent, opt-out, the contribution index and `!forget me`. */
  readonly privacy?: PrivacyService;
  /** Per-server audit log of privileged actions. */
  readonly audit?: AuditLog;
  /** Every server's own data (datasets, feedback, memory, evaluations); absent = one shared set. */
  readonly tenants?: TenantDirectory;
}
