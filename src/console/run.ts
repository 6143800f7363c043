import { createInterface } from 'node:readline';
import type { IncomingMessage } from '../chat/types.js';
import type { Router } from '../core/router.js';

export const CONSOLE_USER_ID = 'console-operator';
const CHANNEL = 'console';

/**
 * Reads lines from `input` and feeds each to the router as a DM from the local operator, one at a
 * time (each reply completes before the next line is read). Resolves at end of input.
 */
export async function runConsole(opts: {
  router: Router;
  input: NodeJS.ReadableStream;
  userName: string;
  onError: (err: unknown) => void;
}): Promise<number> {
  const rl = createInterface({ input: opts.input, terminal: false, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    const text = line.trim();
    if (!text) continue;
    n++;
    await opts.router.handleMessage(consoleMessage(text, n, opts.userName)).catch(opts.onError);
  }
  return n;
}

function consoleMessage(text: string, n: number, userName: string): IncomingMessage {
  return {
    id: `console-${n}`,
    channelId: CHANNEL,
    guildId: null,
    channelName: 'console',
    isDM: true,
    author: { id: CONSOLE_USER_ID, username: userName, displayName: userName, bot: false },
    roleIds: [],
    authorIsGuildAdmin: true,
    content: text,
    cleanContent: text,
    mentionsBot: false,
    replyToBot: false,
    attachments: [],
    authorVoiceChannelId: null,
    createdAt: new Date(),
  };
}
