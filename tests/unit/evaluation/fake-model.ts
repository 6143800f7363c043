/** A scripted ChatModel for evaluation tests: records every call, answers per script, can throw or hang. */
import type { ChatMessage, ChatModel, CompletionOptions } from '../../../src/llm/port.js';

/** A text answer, an error to throw, a text that "takes" `ms` on the test clock, or no answer at all. */
export type Reply = string | Error | { text: string; ms: number } | 'hang';
export type Script = (lastUser: string, messages: ChatMessage[]) => Reply;

/** Manual clock shared by a test and the model (`advance` is called by the model while "thinking"). */
export class TestClock {
  t = 1_700_000_000_000;
  readonly now = (): number => this.t;
}

export class ScriptedModel implements ChatModel {
  readonly calls: { messages: ChatMessage[]; opts?: CompletionOptions }[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    private readonly script: Script,
    private readonly clock?: TestClock,
    readonly description = 'fake:scripted',
  ) {}

  /** Answers from a table keyed by the last user message; unknown inputs get `fallback`. */
  static table(answers: Record<string, Reply>, fallback: Reply = '', clock?: TestClock): ScriptedModel {
    return new ScriptedModel((input) => answers[input] ?? fallback, clock);
  }

  async complete(messages: ChatMessage[], opts?: CompletionOptions): Promise<string> {
    this.calls.push({ messages, opts });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const lastUser = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
      const reply = this.script(lastUser, messages);
      await new Promise((resolve) => setImmediate(resolve)); // answer asynchronously, like a real model
      if (reply === 'hang') return await new Promise<string>(() => undefined);
      if (reply instanceof Error) throw reply;
      if (typeof reply === 'string') return reply;
      if (this.clock) this.clock.t += reply.ms;
      return reply.text;
    } finally {
      this.inFlight--;
    }
  }

  async *stream(messages: ChatMessage[], opts?: CompletionOptions): AsyncIterable<string> {
    yield await this.complete(messages, opts);
  }
}
