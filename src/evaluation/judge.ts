/**
 * The `judge` assertion: another model call grades the answer against a rubric and gives its reason.
 * The judge model is configurable (`bot.training.judgeModel`; empty = the chat model). It is asked
 * for JSON `{"pass": true|false, "reason": "..."}`; a bare PASS/FAIL line is accepted too.
 */
import type { ChatMessage, ChatModel } from '../llm/port.js';
import type { Judgement } from './types.js';

export interface Judge {
  grade(req: { rubric: string; conversation: ChatMessage[]; answer: string; signal?: AbortSignal }): Promise<Judgement>;
}

const SYSTEM =
  'You grade a chatbot answer against a rubric. Judge only what the rubric asks. ' +
  'Reply with one JSON object and nothing else: {"pass": true or false, "reason": "one short sentence"}.';

const REASON_MAX = 300;

export function createJudge(model: ChatModel, modelName?: string): Judge {
  return {
    async grade({ rubric, conversation, answer, signal }) {
      const transcript = conversation
        .filter((m) => m.role !== 'system')
        .map((m) => `${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content}`)
        .join('\n');
      const messages: ChatMessage[] = [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `Rubric:\n${rubric}\n\nConversation:\n${transcript}\n\nAnswer to grade:\n${answer}` },
      ];
      const text = await model.complete(messages, {
        temperature: 0,
        maxTokens: 200,
        ...(modelName ? { model: modelName } : {}),
        ...(signal ? { signal } : {}),
      });
      return { rubric, ...parseVerdict(text) };
    },
  };
}

/** The verdict in a judge's answer; throws when there is none. */
export function parseVerdict(text: string): { pass: boolean; reason: string } {
  const json = /\{[\s\S]*\}/.exec(text)?.[0];
  if (json) {
    try {
      const v = JSON.parse(json) as { pass?: unknown; reason?: unknown };
      const pass = typeof v.pass === 'boolean' ? v.pass : typeof v.pass === 'string' ? /^(true|pass|yes)$/i.test(v.pass) : undefined;
      if (pass !== undefined) return { pass, reason: clip(typeof v.reason === 'string' ? v.reason : '') };
    } catch {
      // not JSON after all: try the plain form
    }
  }
  const word = /\b(PASS|FAIL)(?:ED)?\b[\s:.\-–—]*(.*)/i.exec(text);
  if (word) return { pass: word[1]!.toUpperCase() === 'PASS', reason: clip(word[2] ?? '') };
  throw new Error(`the judge gave no verdict: ${clip(text.replace(/\s+/g, ' '))}`);
}

function clip(s: string): string {
  const t = s.trim();
  return t.length > REASON_MAX ? `${t.slice(0, REASON_MAX - 1)}…` : t;
}
