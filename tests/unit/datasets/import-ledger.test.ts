/** `!train` imports journaled so a restart that cut one short is told to the user afterwards. */
import { readdir } from 'node:fs/promises';
import { expect, test } from 'vitest';
import { ImportLedger, interruptedNotice, LEDGER_FILE } from '../../../src/datasets/import-ledger.js';
import { tempDir } from './helpers.js';

const ticket = { channelId: 'c1', replyTo: 'm1', dataset: 'default', kind: 'positive', inputs: ['a.jsonl', 'b.jsonl'] };

test('finished imports leave nothing; an unfinished one is listed after a restart with what was written', async () => {
  const root = await tempDir();
  const ledger = new ImportLedger(root);
  const done = await ledger.start(ticket);
  await ledger.committed(done, 'a.jsonl', 3);
  await ledger.done(done);
  expect(await readdir(root)).not.toContain(LEDGER_FILE);
  const cut = await ledger.start(ticket);
  await ledger.committed(cut, 'a.jsonl', 5);
  await ledger.close(); // the process dies here

  const after = new ImportLedger(root);
  const pending = await after.interrupted();
  expect(pending).toHaveLength(1);
  expect(pending[0]?.committed).toEqual([{ input: 'a.jsonl', added: 5 }]);
  const text = interruptedNotice(pending[0]!, '!');
  expect(text).toBe('Eos restarted while your `!train` into **default** was running. `a.jsonl`: 5 examples added. Nothing from `b.jsonl` was kept. Send it again: records already stored are skipped, so nothing is added twice.');
  await after.clear();
  expect(await readdir(root)).not.toContain(LEDGER_FILE);
  expect(await new ImportLedger(root).interrupted()).toEqual([]);
});
