/** Child process for crash.test.ts: commits batches of 5,000 records into <root> until killed. */
import { DatasetStore } from '../../../src/datasets/store.js';

const root = process.argv[2]!;
let active: string | undefined;
const store = new DatasetStore({ root, active: { get: () => active, set: async (n) => void (active = n) } });
await store.init();
process.stdout.write('ready\n');
for (let b = 0; ; b++) {
  const batch = Array.from({ length: 5000 }, (_, i) => ({
    // tsc needs the literal union; typescript-eslint's project service sees it as unnecessary
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    kind: (i % 3 === 0 ? 'negative' : 'positive') as 'positive' | 'negative',
    record: { messages: [{ role: 'user' as const, content: `batch ${b} question ${i} ${'x'.repeat(80)}` }, { role: 'assistant' as const, content: `answer ${i}` }] },
  }));
  await store.commit(batch, 'train');
}
