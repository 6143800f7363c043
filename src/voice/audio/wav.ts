/** RIFF/WAVE for 16-bit PCM only. */
import { SpeechError, type Pcm } from '../ports.js';
import { bytesFromInt16, int16FromBytes } from './pcm.js';

const FORMAT_PCM = 1;
const FORMAT_EXTENSIBLE = 0xfffe;

/** A canonical 44-byte-header WAV file of the samples. */
export function encodeWav(pcm: Pcm): Buffer {
  const data = bytesFromInt16(pcm.samples);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(pcm.channels, 22);
  header.writeUInt32LE(pcm.sampleRate, 24);
  header.writeUInt32LE(pcm.sampleRate * pcm.channels * 2, 28);
  header.writeUInt16LE(pcm.channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

interface Format {
  channels: number;
  sampleRate: number;
}

function bad(message: string): SpeechError {
  return new SpeechError('engine', `not a usable WAV file: ${message}`);
}

function parseFmt(buf: Buffer, at: number, size: number): Format {
  if (size < 16) throw bad('fmt chunk too short');
  let format = buf.readUInt16LE(at);
  const channels = buf.readUInt16LE(at + 2);
  const sampleRate = buf.readUInt32LE(at + 4);
  const bits = buf.readUInt16LE(at + 14);
  if (format === FORMAT_EXTENSIBLE && size >= 26) format = buf.readUInt16LE(at + 24);
  if (format !== FORMAT_PCM) throw bad(`sample format ${format} is not integer PCM (only 16-bit PCM is supported)`);
  if (bits !== 16) throw bad(`${bits}-bit samples (only 16-bit PCM is supported)`);
  if (channels < 1 || sampleRate < 1) throw bad(`invalid format (${channels} channels, ${sampleRate} Hz)`);
  return { channels, sampleRate };
}

/**
 * Reads a 16-bit PCM WAV. Streamed WAVs whose size fields are placeholders (espeak-ng --stdout,
 * OpenAI's wav) are accepted: a data chunk is cut to the bytes actually present.
 */
export function decodeWav(buf: Buffer): Pcm {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw bad('missing RIFF/WAVE header');
  }
  let format: Format | undefined;
  let at = 12;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ') format = parseFmt(buf, body, Math.min(size, buf.length - body));
    if (id === 'data') {
      if (!format) throw bad('data chunk before fmt chunk');
      const end = Math.min(buf.length, body + size);
      const bytes = buf.subarray(body, body + Math.floor((end - body) / (2 * format.channels)) * 2 * format.channels);
      return { samples: int16FromBytes(bytes), sampleRate: format.sampleRate, channels: format.channels };
    }
    at = body + size + (size % 2);
  }
  throw bad(format ? 'no data chunk' : 'no fmt chunk');
}
