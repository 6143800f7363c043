/**
 * Child process for kill.test.ts: appends records to a DatasetStore from several concurrent workers
 * and prints `ack <id>` on stdout once each append is acknowledged (stdout to a pipe is synchronous
 * on Linux, so a printed id was acknowledged before it was printed). Runs until killed.
 * Usage: node --import tsx tests/datasets-crash/writer.ts <datasets root>
 */
import { DatasetStore } from '../../src/datasets/store.js';
import type { ChatRecord, PreferenceRecord } from '../../src/datasets/types.js';

const root = process.argv[2];
if (!root) throw new Error('usage: writer.ts <root>');

const store = new DatasetStore({ root, active: { get: () => 'default', set: async () => undefined }, manifestDelayMs: 20 });
await store.init();

let next = 0;
let turn = 0;
/** Sizes vary up to ~128 KB so that a kill can land in the middle of a large write. */
const pad = (id: number): string => 'x'.repeat(id % 7 === 0 ? 128_000 : (id * 37) % 5000);
const chat = (id: number): ChatRecord => ({
  messages: [
    { role: 'user', content: `question ${id}` },
    { role: 'assistant', content: `answer ${id} ${pad(id)}` },
  ],
});
const preference = (id: number): PreferenceRecord => ({
  input: { messages: [{ role: 'user', content: `question ${id}` }] },
  preferred_output: [{ role: 'assistant', content: `good ${id} ${pad(id)}` }],
  non_preferred_output: [{ role: 'assistant', content: `bad ${id}` }],
});

function ack(ids: number[]): void {
  process.stdout.write(ids.map((id) => `ack ${id}\n`).join(''));
}

async function worker(): Promise<void> {
  for (;;) {
    const id = next++;
    switch (turn++ % 4) {
      case 0:
        await store.append('positive', chat(id), 'capture');
        ack([id]);
        break;
      case 1:
        await store.append('negative', chat(id), 'feedback');
        ack([id]);
        break;
      case 2:
        await store.appendPreference(preference(id), 'correction');
        ack([id]);
        break;
      default: {
        const ids = [id, next++, next++];
        await store.appendMany('positive', ids.map(chat), 'import');
        ack(ids);
      }
    }
  }
}

process.stdout.write('ready\n');
await Promise.all(Array.from({ length: 8 }, () => worker()));
