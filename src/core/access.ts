import type { BehaviourConfig } from '../config.js';

export interface Principal {
  userId: string;
  roleIds: readonly string[];
  /** Administrator or Manage Guild in the guild where the action happens. */
  guildAdmin: boolean;
}

export type AccessDecision = { ok: true } | { ok: false; identifier: 'blocked' | 'not-allowed'; message: string };

/**
 * Who may do what: bot owners, admins (configured users/roles, or guild admins), allow and block
 * lists of users and roles (Genbot), and allowed channels (llmcord). Owners and admins bypass the
 * allow list but a block entry for a user always wins except for owners.
 */
export class AccessPolicy {
  private readonly owners: Set<string>;

  constructor(private readonly cfg: Pick<BehaviourConfig, 'owners' | 'admins' | 'allow' | 'block' | 'allowedChannels'>) {
    this.owners = new Set(cfg.owners);
  }

  isOwner(userId: string): boolean {
    return this.owners.has(userId);
  }

  isAdmin(p: Principal): boolean {
    if (this.isOwner(p.userId) || p.guildAdmin) return true;
    if (this.cfg.admins.users.includes(p.userId)) return true;
    return p.roleIds.some((r) => this.cfg.admins.roles.includes(r));
  }

  canUse(p: Principal): AccessDecision {
    if (this.isOwner(p.userId)) return { ok: true };
    const blocked = this.cfg.block.users.includes(p.userId) || p.roleIds.some((r) => this.cfg.block.roles.includes(r));
    if (blocked) return { ok: false, identifier: 'blocked', message: "Sorry, you're not allowed to use Eos." };
    if (this.isAdmin(p)) return { ok: true };
    const { users, roles } = this.cfg.allow;
    if (users.length === 0 && roles.length === 0) return { ok: true };
    if (users.includes(p.userId) || p.roleIds.some((r) => roles.includes(r))) return { ok: true };
    return { ok: false, identifier: 'not-allowed', message: "Sorry, you're not on Eos's allow list." };
  }

  /** DMs are always allowed; guild channels only if the list is empty or names them. */
  channelAllowed(channelId: string, isDM: boolean): boolean {
    if (isDM) return true;
    return this.cfg.allowedChannels.length === 0 || this.cfg.allowedChannels.includes(channelId);
  }
}
