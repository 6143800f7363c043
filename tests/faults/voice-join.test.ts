/**
 * Fault: the voice connection fails while joining (the voice gateway endpoint Discord hands out cannot be reached:
 * the emulator's unreachableNextJoin). The user gets the short "couldn't join" reply, the log names the real
 * cause (not a state-machine error from tearing the session down), nothing crashes, and the next !join works.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness.js';

let h: Harness;
let lounge: { id: string };

beforeAll(async () => {
  h = await startHarness({ behaviour: { conversation: { userRateLimit: { count: 0 } } } });
  lounge = h.emu.createChannel({ guildId: h.guild.id, name: 'Lounge', type: 2 });
  h.emu.voice.userJoinsVoice({ guildId: h.guild.id, channelId: lounge.id, userId: h.alice.id });
}, 60_000);
afterAll(async () => {
  expect(h.emu.contractViolations).toEqual([]);
  await h?.close();
});

const join = async () => {
  const msg = h.emu.userSays({ channelId: h.general.id, userId: h.alice.id, content: '!join' });
  return (await h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === msg.id, { timeoutMs: 30_000, label: '!join' })).content;
};

describe('a voice connection that fails while joining', () => {
  test('"couldn\'t join" for the user, the real error in the log, and the next !join works', async () => {
    h.emu.voice.unreachableNextJoin(h.guild.id);
    expect(await join()).toBe(`I couldn't join <#${lounge.id}>: check that I can connect and speak there.`);
    const failed = h.logs.filter((l) => l.includes('voice join failed'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toContain('ECONNREFUSED');
    expect(failed[0]).not.toContain('InvalidTransitionError');
    expect(h.logs.join('\n')).not.toMatch(/cannot go from destroyed to destroyed/);

    expect(await join()).toMatch(/^Joined <#/);
    await h.emu.voice.waitForConnection(h.guild.id);
    expect(h.emu.voice.violations.join('\n')).toBe('');
  }, 60_000);
});
