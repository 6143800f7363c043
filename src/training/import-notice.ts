/** After a restart: tells each channel whose `!train` a shutdown or crash cut short what was kept. */
import type { Logger } from 'pino';
import type { ChatSurface } from '../chat/types.js';
import { interruptedNotice } from '../datasets/import-ledger.js';
import type { DatasetStore } from '../datasets/store.js';

export async function notifyInterruptedImports(datasets: DatasetStore, surface: ChatSurface, log: Logger, prefix = '!'): Promise<number> {
  const pending = await datasets.imports.interrupted();
  let told = 0;
  for (const item of pending) {
    const content = interruptedNotice(item, prefix);
    try {
      await surface.send(item.ticket.channelId, { content, replyTo: item.ticket.replyTo });
      told += 1;
    } catch (err) {
      // The message or channel may be gone: try once more without the reply reference.
      await surface.send(item.ticket.channelId, { content }).then(
        () => (told += 1),
        () => log.warn({ err, channel: item.ticket.channelId }, 'could not tell about an interrupted import'),
      );
    }
  }
  if (pending.length > 0) await datasets.imports.clear();
  return told;
}
