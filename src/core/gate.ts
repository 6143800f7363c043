import type { AccessPolicy, Principal } from './access.js';
import { rateLimitNotice, type UserRateLimiter } from '../conversation/rate-limit.js';

/** Who acts, and where. Every entry point builds one of these from its platform event. */
export interface Actor extends Principal {
  guildId: string | null;
  channelId: string;
  isDM: boolean;
}

/**
 * The ways into Eos. Commands (prefix, slash, context menus, modals) and chat flows are checked the
 * same way; the flow only decides what an admitted action costs and whether opting out applies.
 */
export type Flow = 'command' | 'message' | 'component' | 'reaction' | 'menu' | 'modal' | 'voice' | 'voice-message';

export type GateReason = 'blocked' | 'not-allowed' | 'channel' | 'opted-out' | 'rate';
export type GateResult = { ok: true } | { ok: false; reason: GateReason; message: string; notify: boolean };

export interface GateOptions {
  /** Rate-limit units this action uses (LLM calls; a command is 1). Default: 1 for commands, voice and voice messages, else 0. */
  cost?: number;
  /** May the user be told when refused (a direct address)? Default true. */
  warn?: boolean;
}

/** What the gate needs to know about privacy choices (src/privacy implements it). */
export interface OptOutLookup {
  optedOut(userId: string): boolean;
}

const DEFAULT_COST: Record<Flow, number> = {
  command: 1,
  message: 0,
  component: 0,
  reaction: 0,
  menu: 0,
  modal: 0,
  voice: 1,
  'voice-message': 1,
};
/** Flows that carry what the user writes or says into the conversation (opting out stops them). */
const CONTENT_FLOWS = new Set<Flow>(['message', 'voice', 'voice-message']);

export const OPTED_OUT_NOTICE = "You opted out, so I don't read or keep what you write. Use `optin` to talk with me again.";

/**
 * The one admission gate (like Sapphire's pre-command-run chain: global checks first, then the
 * command's own preconditions in the router). Order: block/allow lists, allowed channels (admins
 * may still run commands anywhere), opt-out (chat flows only), then the per-user rate limit that
 * commands, replies, voice turns and voice messages share. Bot owners are never rate limited.
 */
export class AdmissionGate {
  constructor(
    private readonly access: AccessPolicy,
    private readonly limiter: UserRateLimiter,
    private readonly privacy: OptOutLookup = { optedOut: () => false },
  ) {}

  get rateLimiter(): UserRateLimiter {
    return this.limiter;
  }

  /** Checks only (spends nothing): may this actor's content be seen at all (history, prompts, records)? */
  visible(actor: Actor): boolean {
    return this.access.canUse(actor).ok && !this.privacy.optedOut(actor.userId);
  }

  admit(actor: Actor, flow: Flow, opts: GateOptions = {}): GateResult {
    const warn = opts.warn ?? true;
    const decision = this.access.canUse(actor);
    if (!decision.ok) return { ok: false, reason: decision.identifier, message: decision.message, notify: warn };
    const admin = this.access.isAdmin(actor);
    const commandLike = flow === 'command' || flow === 'menu' || flow === 'modal' || flow === 'component';
    if (!this.access.channelAllowed(actor.channelId, actor.isDM) && !(admin && commandLike)) {
      return { ok: false, reason: 'channel', message: "Eos isn't enabled in this channel.", notify: warn };
    }
    if (CONTENT_FLOWS.has(flow) && this.privacy.optedOut(actor.userId)) {
      return { ok: false, reason: 'opted-out', message: OPTED_OUT_NOTICE, notify: warn };
    }
    return this.spend(actor, opts.cost ?? DEFAULT_COST[flow], warn);
  }

  /** Uses `cost` more rate-limit units (e.g. each `!test` case); owners are exempt. */
  spend(actor: Pick<Actor, 'userId'>, cost: number, warn = true): GateResult {
    if (cost <= 0 || this.access.isOwner(actor.userId)) return { ok: true };
    const verdict = this.limiter.take(actor.userId, { cost, warn });
    if (verdict.allowed) return { ok: true };
    return { ok: false, reason: 'rate', message: rateLimitNotice(verdict.retryAfterSec), notify: verdict.notify };
  }
}
