/** Test convenience: a real discord.js Client logged in to the emulator (configured only with intents + rest.api). */
import { Client, type ClientOptions } from 'discord.js';
import type { DiscordEmulator } from './api.js';

/** Creates the client, logs in and resolves once `clientReady` fired; rejects (and destroys the client) on failure. */
export async function loginClient(
  emu: DiscordEmulator,
  opts: Pick<ClientOptions, 'intents'> & Partial<Omit<ClientOptions, 'rest'>>,
  timeoutMs = 10_000,
): Promise<Client<true>> {
  const client = new Client({ ...opts, rest: { api: emu.restBase } });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`discord.js did not become ready within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
    client.once('clientReady', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  ready.catch(() => undefined); // observed below; avoids an unhandled rejection when login itself fails
  try {
    await client.login(emu.token);
    await ready;
  } catch (err) {
    await client.destroy();
    throw err;
  }
  return client as Client<true>;
}
