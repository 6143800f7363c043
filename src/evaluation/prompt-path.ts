/**
 * The messages a case sends. `chat` mode builds them the way a conversation reply does: the
 * configured system prompt template rendered for the person running the test, the few-shot examples
 * the memory finds for the question (memory/few-shot.ts, as the responder), then the case's turns
 * with user turns written "Speaker: text". `raw` mode sends the case's messages alone (plus the
 * case's own `system`). A case's `system`, or a system message in its `messages`, wins in both.
 */
import { renderSystemPrompt, speakerLabel } from '../conversation/prompt.js';
import type { ChatMessage } from '../llm/port.js';
import type { ExampleMemory } from '../memory/examples.js';
import { fewShotMessages } from '../memory/few-shot.js';
import { buildMessages } from './run.js';
import type { TestCase } from './types.js';

export type PromptBuilder = (c: TestCase) => Promise<ChatMessage[] | null>;

export interface ChatPromptOptions {
  /** `conversation.systemPrompt` (a template with {bot_name} {user_name} {server} {channel} {time}). */
  systemTemplate: string;
  botName: string;
  /** Who runs the test (display name), as a chat message's speaker. */
  userName: string;
  server: string;
  channel: string;
  memory?: ExampleMemory;
  /** Few-shot examples (`training.fewShot`); 0 = none. */
  fewShot: number;
  now?: () => Date;
}

export function rawPrompt(): PromptBuilder {
  return async (c) => buildMessages(c);
}

export function chatPrompt(o: ChatPromptOptions): PromptBuilder {
  return async (c) => {
    const convo = buildMessages(c);
    if (!convo) return null;
    const own = convo[0]?.role === 'system' ? convo[0] : undefined;
    const turns = convo.filter((m) => m.role !== 'system');
    const system =
      own?.content ??
      renderSystemPrompt(o.systemTemplate, {
        botName: o.botName,
        userName: o.userName,
        server: o.server,
        channel: o.channel,
        time: (o.now ?? (() => new Date()))(),
      });
    const question = [...turns].reverse().find((m) => m.role === 'user')?.content ?? '';
    const fewShot = o.memory ? await fewShotMessages(o.memory, question, o.fewShot).catch(() => []) : [];
    const live = turns.map((m): ChatMessage =>
      m.role === 'user' ? { role: 'user', content: `${speakerLabel(m.name ?? o.userName)}: ${m.content}` } : { ...m },
    );
    return [...(system.trim() ? [{ role: 'system' as const, content: system }] : []), ...fewShot, ...live];
  };
}
