/**
 * Bookkeeping for the fault tests: every user message that should be answered, with the exact reply
 * text the fake LLM will give it, and the check that each got exactly one bot message.
 */
import type { DiscordEmulator, EmuMessage } from '../emulator/index.js';
import type { ChatCompletionRequestBody, Reply } from '../llm-server/index.js';
import { lastUserText } from '../llm-server/http.js';

const TAG = /\[q(\d+)\]/;

/** The reply the fake LLM gives to a message tagged `[qN]`. */
export const answerFor = (n: number) => `Answer to q${n}: streamed slowly in several small pieces so that faults can land mid-stream.`;

/** A fake-LLM responder answering `answerFor(N)` to the last user message tagged `[qN]`. */
export function taggedResponder(opts: { chunkDelayMs?: number; chunkSize?: number } = {}) {
  return (req: ChatCompletionRequestBody): Reply => {
    const match = TAG.exec(lastUserText(req.messages));
    if (!match) return { text: 'untagged' };
    return { text: answerFor(Number(match[1])), chunkDelayMs: opts.chunkDelayMs ?? 30, chunkSize: opts.chunkSize ?? 8 };
  };
}

export interface Sent {
  n: number;
  channelId: string;
  msg: EmuMessage;
}

export class ReplyLedger {
  readonly sent: Sent[] = [];
  private next = 1;

  constructor(private readonly emu: DiscordEmulator) {}

  /** A user message tagged `[qN]` (with a mention of the bot unless `dm`). */
  say(channelId: string, userId: string, opts: { dm?: boolean } = {}): Sent {
    const n = this.next++;
    const text = `question [q${n}] please`;
    const content = opts.dm ? text : `<@${this.emu.botUser.id}> ${text}`;
    const sent = { n, channelId, msg: this.emu.userSays({ channelId, userId, content }) };
    this.sent.push(sent);
    return sent;
  }

  /** Bot messages that reply to `s` (in its channel, deleted ones included). */
  repliesTo(s: Sent): EmuMessage[] {
    return this.emu.allMessages(s.channelId).filter((m) => m.fromBot && m.replyTo === s.msg.id);
  }

  /** Waits until every sent message has its final reply text. */
  async allAnswered(timeoutMs = 20_000): Promise<void> {
    const answered = (s: Sent) => this.repliesTo(s).some((m) => m.content === answerFor(s.n));
    await this.emu
      .waitFor(() => this.sent.every(answered), { timeoutMs, label: 'every final reply' })
      .catch((err: Error) => {
        const missing = this.sent
          .filter((s) => !answered(s))
          .map((s) => `q${s.n}: ${JSON.stringify(this.repliesTo(s).map((m) => m.content))}`);
        throw new Error(`${err.message}\nunanswered: ${missing.join('; ')}`);
      });
  }

  /** q-number → number of bot messages replying to it, for every sent message. */
  replyCounts(): Record<string, number> {
    return Object.fromEntries(this.sent.map((s) => [`q${s.n}`, this.repliesTo(s).length]));
  }
}
