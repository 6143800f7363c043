import type { ChatMessage, ChatModel, CompletionOptions } from '../../src/llm/port.js';
import { LlmError } from '../../src/llm/port.js';

type Script = string | Error | ((messages: ChatMessage[]) => string | Error);

/** A ChatModel that records calls and answers from a script (FIFO, then the default). */
export class FakeModel implements ChatModel {
  readonly description = 'fake';
  readonly calls: { messages: ChatMessage[]; opts?: CompletionOptions; kind: 'complete' | 'stream' }[] = [];
  private readonly queue: Script[] = [];

  constructor(private readonly fallback: Script = (m) => `echo: ${m.at(-1)?.content ?? ''}`) {}

  enqueue(...s: Script[]): this {
    this.queue.push(...s);
    return this;
  }

  async complete(messages: ChatMessage[], opts?: CompletionOptions): Promise<string> {
    this.calls.push({ messages, opts, kind: 'complete' });
    return this.answer(messages);
  }

  async *stream(messages: ChatMessage[], opts?: CompletionOptions): AsyncIterable<string> {
    this.calls.push({ messages, opts, kind: 'stream' });
    const text = this.answer(messages);
    for (let i = 0; i < text.length; i += 7) yield text.slice(i, i + 7);
  }

  private answer(messages: ChatMessage[]): string {
    const s = this.queue.shift() ?? this.fallback;
    const r = typeof s === 'function' ? s(messages) : s;
    if (r instanceof Error) throw r instanceof LlmError ? r : new LlmError('http', r.message, 500);
    return r;
  }
}
