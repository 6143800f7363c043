import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { decodeToPcm } from '../../src/voice/audio/ffmpeg.js';
import { durationMs, rms } from '../../src/voice/audio/pcm.js';
import { createGoogleTextToSpeech } from '../../src/voice/tts/google.js';

const PIECE = readFileSync(new URL('../fixtures/audio/google-piece.mp3', import.meta.url));

interface FakeGoogle {
  host: string;
  queries: URLSearchParams[];
  server: Server;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function startFakeGoogle(status = 200): Promise<FakeGoogle> {
  const queries: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/translate_tts') {
      res.writeHead(404).end();
      return;
    }
    queries.push(url.searchParams);
    if (status !== 200) {
      res.writeHead(status).end('rate limited');
      return;
    }
    res.writeHead(200, { 'content-type': 'audio/mpeg', 'content-length': PIECE.length }).end(PIECE);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries, server };
}

/** 450 characters of distinct words: google-tts-api cuts it into pieces of at most 200 (3 pieces). */
function text450(): string {
  const words: string[] = [];
  while (words.join(' ').length < 450) words.push(`word${words.length}`);
  return words.join(' ').slice(0, 450).trim();
}

describe('Google TTS adapter against a local server', () => {
  test('a 450-character text is fetched in three pieces and decoded to non-silent PCM', async () => {
    const fake = await startFakeGoogle();
    const tts = createGoogleTextToSpeech({ host: fake.host, lang: 'en-GB' });
    const text = text450();
    expect(text.length).toBeGreaterThanOrEqual(445);
    const pcm = await tts.synthesize(text);
    expect(fake.queries).toHaveLength(3);
    // Pieces are fetched in parallel, so arrival order may differ from text order.
    const pieces = fake.queries.map((q) => q.get('q') ?? '').sort((a, b) => text.indexOf(a) - text.indexOf(b));
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(200);
    expect(pieces.join('').replace(/\s+/g, ' ').trim()).toBe(text);
    expect(fake.queries.every((q) => q.get('tl') === 'en-GB' && q.get('client') === 'tw-ob')).toBe(true);
    const one = await decodeToPcm(PIECE, { sampleRate: 24_000, channels: 1 });
    expect(pcm.sampleRate).toBe(24_000);
    expect(durationMs(pcm)).toBeCloseTo(durationMs(one) * 3, -1);
    expect(rms(pcm.samples)).toBeGreaterThan(300);
  });

  test('HTTP errors, unreachable hosts and timeouts become SpeechErrors', async () => {
    const limited = await startFakeGoogle(429);
    await expect(createGoogleTextToSpeech({ host: limited.host }).synthesize('hello')).rejects.toMatchObject({ kind: 'http', status: 429 });
    const closed = await startFakeGoogle();
    const deadHost = closed.host;
    await new Promise((resolve) => closed.server.close(resolve));
    await expect(createGoogleTextToSpeech({ host: deadHost }).synthesize('hello')).rejects.toMatchObject({ kind: 'network' });
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const slow = createGoogleTextToSpeech({ host: 'http://127.0.0.1:9', fetch: hanging, timeoutMs: 50 });
    await expect(slow.synthesize('hello')).rejects.toMatchObject({ kind: 'timeout' });
  });

  test('empty text makes no request; an over-long word is broken up instead of failing', async () => {
    const fake = await startFakeGoogle();
    const tts = createGoogleTextToSpeech({ host: fake.host });
    expect((await tts.synthesize(' \n ')).samples.length).toBe(0);
    expect(fake.queries).toHaveLength(0);
    await tts.synthesize('x'.repeat(450));
    expect(fake.queries.length).toBeGreaterThanOrEqual(3);
  });
});
