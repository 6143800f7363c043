/** Helpers of the data-*.test.ts files: read dataset lines, talk to Eos, click its buttons. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { mention, type Harness } from './harness.js';
import type { EmuMessage } from '../emulator/types.js';

export type Msg = { role: string; content: string; weight?: number; name?: string };
export type Rec = { messages: Msg[] };
export type Pref = { input: { messages: Msg[] }; preferred_output: Msg[]; non_preferred_output: Msg[] };

export function kit(h: Harness, channelId = h.general.id) {
  const file = (name: string) => path.join(h.dataDir, 'datasets', 'default', name);
  async function lines<T = Rec>(name: string): Promise<T[]> {
    const text = await readFile(file(name), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as T);
  }
  async function waitLines<T = Rec>(name: string, n: number): Promise<T[]> {
    for (let waited = 0; waited < 10_000; waited += 25) {
      const got = await lines<T>(name);
      if (got.length >= n) return got;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${name} never reached ${n} lines`);
  }
  /** Resolves once the candidate journal holds the decision on `messageId` (written after the records and the live-history update). */
  async function decided(messageId: string): Promise<void> {
    // A server's replies are journaled in its own file (guilds/<id>/candidates.jsonl), DMs' in state/.
    const journals = [path.join(h.dataDir, 'guilds', h.guild.id, 'candidates.jsonl'), path.join(h.dataDir, 'state', 'candidates.jsonl')];
    for (let waited = 0; waited < 10_000; waited += 25) {
      const text = (await Promise.all(journals.map((j) => readFile(j, 'utf8').catch(() => '')))).join('\n');
      if (text.includes(`"op":"decide","messageId":"${messageId}"`)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no decision on ${messageId} in the candidate journal`);
  }
  const say = (userId: string, content: string, replyTo?: string) => h.emu.userSays({ channelId, userId, content, replyTo });
  const replyTo = (id: string, pred: (m: EmuMessage) => boolean = () => true) =>
    h.emu.waitForBotMessage(channelId, (m) => m.replyTo === id && pred(m));
  /** Alice asks the bot; the fake LLM answers `answer`; resolves with the reply once its buttons are on. */
  async function ask(question: string, answer: string, userId = h.alice.id): Promise<EmuMessage> {
    h.llm!.queue({ text: answer });
    const msg = say(userId, mention(h.emu.botUser.id, question));
    const r = await replyTo(msg.id);
    return h.emu.waitFor(() => (r.components.length > 0 ? r : undefined), { label: `buttons on the reply to "${question}"` });
  }
  async function click(messageId: string, rating: 'up' | 'down', userId: string): Promise<string> {
    const customId = `eos:fb:${rating}`;
    const i = h.emu.interaction({ name: customId, type: 3, customId, userId, channelId, guildId: h.guild.id, targetMessageId: messageId });
    const res = await h.emu.waitFor(() => h.emu.interactionResponses.find((x) => x.interactionId === i.id));
    return (res.data as { content?: string }).content ?? '';
  }
  /** The messages of the last chat request the fake LLM received. */
  const lastPrompt = () => (h.llm!.chatRequests().at(-1)?.messages ?? []) as Msg[];
  return { lines, waitLines, decided, say, replyTo, ask, click, lastPrompt };
}

/** The contents of every assistant turn with its weight, for compact assertions. */
export const assistantTurns = (messages: Msg[]) => messages.filter((m) => m.role === 'assistant').map((m) => [m.content, m.weight]);
