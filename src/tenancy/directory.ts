import type { DatasetStore } from '../datasets/store.js';
import type { ExampleMemory } from '../memory/examples.js';
import type { FeedbackService } from '../training/feedback.js';
import type { ResultStore } from '../evaluation/index.js';
import type { StateStore } from '../state/store.js';
import type { EventActor, TenantContext } from './context.js';
import { GUILD_ID } from './layout.js';

/** What one server (or the bot owners, for DMs and the console) owns. */
export interface Tenant {
  /** null: the bot owners' tenant (DMs, console, CLI). */
  guildId: string | null;
  datasets: DatasetStore;
  feedback: FeedbackService;
  memory: ExampleMemory;
  evaluations: ResultStore;
  /** The state as this tenant sees it (its active dataset and `!train` kind). */
  state: StateStore;
  paths: { datasets: string; archives: string; pending?: string };
  /** Members' contributions waiting for review (guilds/<id>/pending); the owners' tenant has none (itself). */
  pending: DatasetStore;
}

/** What a user may change in a tenant: the datasets and feedback they write through. */
export interface TenantView {
  datasets: DatasetStore;
  feedback: FeedbackService;
  /** Their `!train` examples and corrections wait for a server admin's `!review`. */
  reviewed: boolean;
}

export interface MemberRules {
  /** Admins, owners, or every member where the server trusts members. */
  trusted(guildId: string, actor: EventActor): boolean;
  /** A member's view: writes to the pending area with provenance. */
  member(tenant: Tenant, actor: EventActor): { datasets: DatasetStore; feedback: FeedbackService };
}

/**
 * Every tenant, made on first use: a server's stores are built the first time something happens
 * there. The owners' tenant is the one built at start from the top-level folders.
 */
export class TenantDirectory {
  private readonly guilds = new Map<string, Tenant>();

  constructor(
    private readonly owners: Tenant,
    private readonly make: (guildId: string) => Tenant,
    readonly context: TenantContext,
    private readonly rules?: MemberRules,
  ) {}

  /** The datasets and feedback `actor` writes through in `guildId` (pending for untrusted members). */
  view(guildId: string | null, actor: EventActor | null): TenantView {
    const t = this.of(guildId);
    if (!t.guildId || !actor || !this.rules || this.rules.trusted(t.guildId, actor))
      return { datasets: t.datasets, feedback: t.feedback, reviewed: false };
    return { ...this.rules.member(t, actor), reviewed: true };
  }

  /**
   * A server's tenant; null: the owners'. A guild ID never falls back to the owners' tenant (whose files only the
   * process owning DMs writes): one that is not a snowflake is refused.
   */
  of(guildId: string | null): Tenant {
    if (guildId === null || guildId === '') return this.owners;
    if (!GUILD_ID.test(guildId)) throw new TypeError(`not a guild id: ${JSON.stringify(guildId.slice(0, 40))}`);
    let t = this.guilds.get(guildId);
    if (!t) {
      t = this.make(guildId);
      this.guilds.set(guildId, t);
    }
    return t;
  }

  /** The tenant of the event being handled (see TenantContext). */
  current(): Tenant {
    return this.of(this.context.current());
  }

  /** Servers' tenants made so far (for shutdown). */
  guildTenants(): Tenant[] {
    return [...this.guilds.values()];
  }
}
