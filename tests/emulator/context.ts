/** What REST handlers and user actions share: the state, the gateway, and a few settings. */
import type { Gateway } from './gateway.js';
import type { EmuState } from './state.js';

export interface EmuContext {
  readonly state: EmuState;
  readonly gateway: Gateway;
  readonly token: string;
  /** http://127.0.0.1:PORT (no /api). */
  readonly httpBase: () => string;
  /** An interaction must get its first callback within this time (Discord: 3 s), else 10062 Unknown interaction. */
  readonly interactionTimeoutMs: number;
  /** Shards `GET /gateway/bot` recommends (default 1). */
  readonly shardCount?: () => number;
}
