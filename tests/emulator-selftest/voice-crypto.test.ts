import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { startDiscordEmulator } from '../emulator/index.js';
import { hchacha20, xchachaOpen, xchachaSeal } from '../emulator/voice/aead.js';
import { discoveryResponse, openRtp, sealRtp } from '../emulator/voice/rtp.js';
import { VOICE_MODES } from '../emulator/voice/types.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const counting = (first: number, n: number) => Buffer.from(Array.from({ length: n }, (_, i) => first + i));

describe('voice crypto and packets', () => {
  test('HChaCha20 and XChaCha20-Poly1305 match draft-irtf-cfrg-xchacha-03 vectors', () => {
    expect(hchacha20(counting(0, 32), hex('000000090000004a0000000031415927')).toString('hex')).toBe(
      '82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc',
    );
    const plaintext = Buffer.from(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const sealed = xchachaSeal(counting(0x80, 32), counting(0x40, 24), plaintext, aad);
    expect(sealed.subarray(0, 16).toString('hex')).toBe('bd6d179d3e83d43b9576579493c0e939');
    expect(sealed.subarray(-16).toString('hex')).toBe('c0875924c1c7987947deafd8780acf49');
    expect(xchachaOpen(counting(0x80, 32), counting(0x40, 24), sealed, aad)).toEqual(plaintext);
  });

  test.each(VOICE_MODES)('RTP round trip in %s, with and without header extension; tampering is detected', (mode) => {
    const key = randomBytes(32);
    const opus = randomBytes(60);
    for (const extension of [true, false]) {
      const packet = sealRtp(mode, key, { seq: 65535, timestamp: 2 ** 32 - 1, ssrc: 1234 }, opus, 7, extension);
      expect(packet.readUInt32BE(packet.length - 4)).toBe(7);
      expect(packet[1]).toBe(120);
      const parsed = openRtp(mode, key, packet);
      expect(parsed).toMatchObject({ version: 2, payloadType: 120, seq: 65535, timestamp: 2 ** 32 - 1, ssrc: 1234 });
      expect(parsed.payload).toEqual(opus);
      const tampered = Buffer.from(packet);
      tampered[2] = (tampered[2] ?? 0) ^ 1; // the header is authenticated (AAD)
      expect(() => openRtp(mode, key, tampered)).toThrow();
    }
  });

  test('IP discovery answer has the layout @discordjs/voice parses', () => {
    const answer = discoveryResponse(42, '127.0.0.1', 50123);
    expect(answer.length).toBe(74);
    expect([answer.readUInt16BE(0), answer.readUInt16BE(2), answer.readUInt32BE(4)]).toEqual([2, 70, 42]);
    expect(answer.subarray(8, answer.indexOf(0, 8)).toString()).toBe('127.0.0.1');
    expect(answer.readUInt16BE(72)).toBe(50123);
  });

  test('the voice certificate is trusted in-process and, via NODE_EXTRA_CA_CERTS, by a child process', async () => {
    const emu = await startDiscordEmulator({ contractCheck: false });
    try {
      expect(emu.voice.caCertPem).toContain('BEGIN CERTIFICATE');
      expect(readFileSync(emu.voice.caCertFile, 'utf8')).toBe(emu.voice.caCertPem);
      const script = `require('https').get('https://${emu.voice.endpoint}/',
        (r) => { console.log(r.statusCode); r.resume(); }).on('error', (e) => { console.log(e.code); });`;
      const run = (env: NodeJS.ProcessEnv) => promisify(execFile)(process.execPath, ['-e', script], { env, timeout: 5000 });
      const trusted = await run({ ...process.env, NODE_EXTRA_CA_CERTS: emu.voice.caCertFile });
      expect(trusted.stdout.trim()).toBe('426');
      const { NODE_EXTRA_CA_CERTS: _drop, ...without } = process.env;
      const untrusted = await run(without);
      expect(untrusted.stdout.trim()).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
      const inProcess = await fetch(`https://${emu.voice.endpoint}/`);
      expect(inProcess.status).toBe(426);
    } finally {
      await emu.close();
    }
  });
});
