import type { ChatSurface, Embed, IncomingMessage, OutgoingMessage, SentMessage } from '../chat/types.js';

/** A terminal as a chat surface: every message Eos sends is printed; nothing is edited in place. */
export class ConsoleSurface implements ChatSurface {
  readonly kind = 'console' as const;
  readonly supportsEdits = false;
  private nextId = 1;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly botName: string,
  ) {}

  botUser(): { id: string; username: string } {
    return { id: 'eos-console-bot', username: this.botName };
  }

  async send(channelId: string, msg: OutgoingMessage): Promise<SentMessage> {
    this.print(render(msg));
    return { id: String(this.nextId++), channelId };
  }

  async edit(_channelId: string, _messageId: string, msg: OutgoingMessage): Promise<void> {
    this.print(`(edited) ${render(msg)}`);
  }

  async typing(): Promise<void> {}

  async react(_channelId: string, _messageId: string, emoji: string): Promise<void> {
    this.print(`[reacted ${emoji}]`);
  }

  async fetchRecent(): Promise<IncomingMessage[]> {
    return [];
  }

  setPresence(): void {}

  private print(text: string): void {
    this.out.write(`${this.botName}: ${text.replace(/\n/g, '\n  ')}\n`);
  }
}

export function render(msg: OutgoingMessage): string {
  const parts: string[] = [];
  if (msg.content) parts.push(msg.content);
  for (const e of msg.embeds ?? []) parts.push(renderEmbed(e));
  for (const f of msg.files ?? []) parts.push(`[file ${f.name}, ${f.data.length} bytes]`);
  if (msg.voice) parts.push(`[voice message, ${msg.voice.durationSecs.toFixed(1)} s]`);
  if (msg.buttons?.length) parts.push(msg.buttons.map((b) => `[${b.emoji ?? ''}${b.label ?? ''}]`).join(' '));
  return parts.join('\n');
}

function renderEmbed(e: Embed): string {
  const lines: string[] = [];
  if (e.title) lines.push(`== ${e.title} ==`);
  if (e.description) lines.push(e.description);
  for (const f of e.fields ?? []) lines.push(`-- ${f.name} --`, f.value);
  if (e.footer) lines.push(e.footer);
  return lines.join('\n');
}
