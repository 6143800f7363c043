import type { ChatSurface, IncomingMessage, OutgoingMessage, SentMessage } from '../../src/chat/types.js';

/** A ChatSurface that records every call. `supportsEdits` is configurable. */
export class FakeSurface implements ChatSurface {
  readonly kind = 'console' as const;
  readonly sent: { channelId: string; msg: OutgoingMessage; id: string }[] = [];
  readonly edits: { channelId: string; messageId: string; msg: OutgoingMessage }[] = [];
  readonly typings: string[] = [];
  readonly reactions: { channelId: string; messageId: string; emoji: string }[] = [];
  readonly presences: string[] = [];
  recent: IncomingMessage[] = [];
  failSendTo = new Set<string>();
  private next = 1;

  constructor(readonly supportsEdits = true) {}

  botUser() {
    return { id: 'bot', username: 'Eos' };
  }
  async send(channelId: string, msg: OutgoingMessage): Promise<SentMessage> {
    if (this.failSendTo.has(channelId)) throw new Error(`unknown channel ${channelId}`);
    const id = `m${this.next++}`;
    this.sent.push({ channelId, msg, id });
    return { id, channelId };
  }
  async edit(channelId: string, messageId: string, msg: OutgoingMessage): Promise<void> {
    this.edits.push({ channelId, messageId, msg });
  }
  async typing(channelId: string): Promise<void> {
    this.typings.push(channelId);
  }
  async react(channelId: string, messageId: string, emoji: string): Promise<void> {
    this.reactions.push({ channelId, messageId, emoji });
  }
  async fetchRecent(): Promise<IncomingMessage[]> {
    return this.recent;
  }
  setPresence(text: string): void {
    this.presences.push(text);
  }
  texts(): string[] {
    return this.sent.map((s) => s.msg.content ?? '');
  }
}

let seq = 0;
export function incoming(p: Partial<IncomingMessage> & { content: string }): IncomingMessage {
  seq++;
  return {
    id: `in${seq}`,
    channelId: 'c1',
    guildId: 'g1',
    guildName: 'Guild',
    channelName: 'general',
    isDM: false,
    author: { id: 'u1', username: 'alice', displayName: 'Alice', bot: false },
    roleIds: [],
    authorIsGuildAdmin: false,
    cleanContent: p.content,
    mentionsBot: false,
    replyToBot: false,
    attachments: [],
    authorVoiceChannelId: null,
    createdAt: new Date(),
    ...p,
  };
}
