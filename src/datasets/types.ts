import type { ChatMessage } from '../llm/port.js';

/** positive.jsonl / negative.jsonl hold ChatRecords; preference.jsonl holds PreferenceRecords. */
export type DatasetKind = 'positive' | 'negative';
export type DatasetFile = DatasetKind | 'preference';

/** A chat-record message: OpenAI's per-message `weight` (assistant turns only) says whether it is trained (1, default) or context (0). */
export type RecordMessage = ChatMessage & { weight?: 0 | 1 };

/** OpenAI chat fine-tuning format: one `{"messages": [...]}` per line. Speakers are display names or anonymous labels, never IDs. */
export interface ChatRecord {
  messages: RecordMessage[];
}

/** OpenAI preference (DPO) fine-tuning format. */
export interface PreferenceRecord {
  input: { messages: ChatMessage[] };
  preferred_output: ChatMessage[];
  non_preferred_output: ChatMessage[];
}

/** Where a record came from, counted in the manifest. */
export type RecordSource = 'feedback' | 'correction' | 'train' | 'import' | 'voice' | 'capture';

export interface DatasetManifest {
  name: string;
  created: string;
  updated: string;
  counts: Record<DatasetFile, number>;
  sources: Partial<Record<RecordSource, number>>;
}

export interface RepairReport {
  dataset: string;
  file: DatasetFile;
  /** Bytes of the torn last line that were cut off (moved to <file>.torn-<time>). */
  bytesRemoved: number;
}

/** Dataset names: letters, digits, '-', '_', 1..64 characters. Anything else is refused. */
export const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const DEFAULT_DATASET = 'default';
