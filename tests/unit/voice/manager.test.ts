/** VoiceManager with a fake host and fake links (the Discord link itself needs the emulator's voice server). */
import { afterEach, describe, expect, test, vi } from 'vitest';
import type { VoiceHost } from '../../../src/voice/discord/host.js';
import { VoiceManager, type VoiceContext, type VoiceTurn } from '../../../src/voice/discord/manager.js';
import { FakeSpeechToText, FakeTextToSpeech } from '../../fakes/speech.js';
import { FakeLink, spokenClip } from './helpers.js';

class FakeHost implements VoiceHost {
  humans = new Map<string, number>();
  listeners = new Set<(guildId: string) => void>();
  botUserId = () => 'bot';
  adapterCreator = () => undefined;
  humansIn = (_g: string, channelId: string) => this.humans.get(channelId) ?? 1;
  isBot = (_g: string, userId: string) => userId.startsWith('bot');
  displayName = async (_g: string, userId: string) => `Name ${userId}`;
  onVoiceStateChange(fn: (guildId: string) => void) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
  change(guildId: string, channelId: string, humans: number): void {
    this.humans.set(channelId, humans);
    for (const fn of this.listeners) fn(guildId);
  }
}

function makeManager(aloneTimeoutMs = 60_000) {
  const host = new FakeHost();
  const links: FakeLink[] = [];
  const turns: VoiceTurn[] = [];
  const posted: string[] = [];
  const ctxOf = (c: VoiceContext) => `${c.guildId}/${c.voiceChannelId}->${c.textChannelId}`;
  const manager = new VoiceManager({
    host,
    stt: new FakeSpeechToText('what time is it'),
    tts: new FakeTextToSpeech(),
    respond: async function* (turn) {
      turns.push(turn);
      yield 'It is noon.';
    },
    hooks: {
      onTranscript: (ctx, e) => posted.push(`${ctxOf(ctx)} ${e.speaker}: ${e.text}`),
      onReply: (ctx, e) => posted.push(`${ctxOf(ctx)} Eos: ${e.text}`),
    },
    pipeline: { endpoint: { vad: 'energy', silenceMs: 400 } },
    session: { aloneTimeoutMs },
    createLink: () => {
      const link = new FakeLink();
      links.push(link);
      return link;
    },
  });
  return { manager, host, links, turns, posted };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('VoiceManager', () => {
  test('join → a listening session; speech is answered with guild/channel context; hooks carry the linked text channel', async () => {
    const m = makeManager();
    const session = await m.manager.join('g1', 'vc1', 'tc1');
    expect(session.state.status).toBe('listening');
    expect(m.manager.get('g1')).toBe(session);
    expect(await m.manager.join('g1', 'vc1', 'tc2')).toBe(session);
    expect(m.manager.textChannelOf('g1')).toBe('tc2');
    m.links[0]?.handlers?.audio('u7', spokenClip());
    m.links[0]?.handlers?.audioEnd('u7');
    const start = Date.now();
    while (m.posted.length < 2 && Date.now() - start < 3000) await new Promise((r) => setTimeout(r, 10));
    expect(m.turns).toEqual([
      { userId: 'u7', speaker: 'Name u7', text: 'what time is it', guildId: 'g1', voiceChannelId: 'vc1', textChannelId: 'tc2' },
    ]);
    expect(m.posted).toEqual(['g1/vc1->tc2 Name u7: what time is it', 'g1/vc1->tc2 Eos: It is noon.']);
    await m.manager.destroyAll();
  });

  test('joining another channel leaves the first; leave() and say() by guild', async () => {
    const m = makeManager();
    const first = await m.manager.join('g1', 'vc1', 'tc1');
    const second = await m.manager.join('g1', 'vc2', 'tc1');
    expect(first.state).toEqual({ status: 'destroyed', reason: 'moved to another channel' });
    expect(m.links[0]?.destroyed).toBe(1);
    expect(second.channelId).toBe('vc2');
    expect(await m.manager.say('g1', 'Hello there.')).toBe(true);
    expect(m.links[1]?.sink.plays).toHaveLength(1);
    expect(await m.manager.leave('g1')).toBe(true);
    expect(m.manager.get('g1')).toBeUndefined();
    expect(await m.manager.leave('g1')).toBe(false);
    await expect(m.manager.say('g1', 'Anyone?')).rejects.toThrow(/not in a voice channel/);
  });

  test('leaves a channel after the last human left (voice state updates) and the alone timeout passed', async () => {
    vi.useFakeTimers();
    const m = makeManager(10_000);
    const session = await m.manager.join('g1', 'vc1', 'tc1');
    m.host.change('g1', 'vc1', 0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(session.state).toEqual({ status: 'destroyed', reason: 'alone in the channel' });
    expect(m.manager.get('g1')).toBeUndefined();
  });

  test('destroyAll() leaves every guild and stops listening to voice states', async () => {
    const m = makeManager();
    const a = await m.manager.join('g1', 'vc1', 'tc1');
    const b = await m.manager.join('g2', 'vc9', 'tc9');
    await m.manager.destroyAll();
    expect([a.state.status, b.state.status]).toEqual(['destroyed', 'destroyed']);
    expect(m.host.listeners.size).toBe(0);
  });
});
