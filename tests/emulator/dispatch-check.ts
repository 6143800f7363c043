/** Loose contract checks of what the gateway emits: message payloads must also be valid REST message objects. */
import type { OpenApiContract } from './contract.js';

const MESSAGE_EVENTS = new Set(['MESSAGE_CREATE', 'MESSAGE_UPDATE']);

export function checkDispatch(contract: OpenApiContract, t: string, d: Record<string, unknown>): string[] {
  if (MESSAGE_EVENTS.has(t)) return contract.validateSchema('#/components/schemas/MessageResponse', d, `gateway ${t}`);
  if (t === 'GUILD_CREATE') {
    const channels = Array.isArray(d.channels) ? d.channels : [];
    return [
      ...contract.validateSchema('#/components/schemas/GuildResponse', d, `gateway ${t}`),
      ...channels.flatMap((c) => contract.validateSchema('#/components/schemas/GuildChannelResponse', c, `gateway ${t} channel`)),
    ];
  }
  return [];
}
