/**
 * What the memory keeps of a positive record (OpenAI chat format): the answer is the final
 * *trained* assistant turn (weight absent or 1; context turns carry `"weight": 0`), the prompt is
 * the last user turn before it, without the "Speaker: " label the conversation puts in front.
 */
export interface MemoryRecord {
  prompt: string;
  answer: string;
}

interface WireMessage {
  role?: unknown;
  content?: unknown;
  weight?: unknown;
}

const SPEAKER_LABEL = /^[^:\n]{1,64}:\s+/;

export function stripSpeaker(text: string): string {
  const stripped = text.replace(SPEAKER_LABEL, '');
  return stripped.trim() === '' ? text : stripped;
}

/** The example in one JSONL line, or null (blank, malformed, or no trained answer). */
export function parseMemoryRecord(line: string): MemoryRecord | null {
  if (!line.trim()) return null;
  let msgs: WireMessage[];
  try {
    const rec = JSON.parse(line) as { messages?: unknown };
    if (!Array.isArray(rec?.messages)) return null;
    msgs = rec.messages as WireMessage[];
  } catch {
    return null;
  }
  let answerAt = -1;
  for (let i = msgs.length - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m?.role === 'assistant' && m.weight !== 0 && typeof m.content === 'string' && m.content.trim()) {
      answerAt = i;
      break;
    }
  }
  if (answerAt < 0) return null;
  for (let i = answerAt - 1; i >= 0; i--) {
    const m = msgs[i];
    if (m?.role === 'user' && typeof m.content === 'string' && m.content.trim()) {
      return { prompt: stripSpeaker(m.content), answer: msgs[answerAt]!.content as string };
    }
  }
  return null;
}
