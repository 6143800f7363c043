/**
 * RTP packets of Discord voice ("rtpsize" modes): 12-byte header (+ 4-byte extension header 0xBEDE/length when the
 * X bit is set) as AAD, then ciphertext (extension body + Opus), 16-byte tag, 4-byte big-endian nonce counter.
 * Plus the 74-byte IP discovery packets.
 */
import { open, seal } from './aead.js';
import type { VoiceMode } from './types.js';

export const RTP_PAYLOAD_TYPE = 120;
export const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);
const NONCE_BYTES = 4;
const TAG_BYTES = 16;
/** One RFC 5285 one-byte element (id 1 = audio level, 1 byte) padded to 32 bits, like Discord clients send. */
const EXTENSION_BODY = Buffer.from([0x10, 0x7f, 0x00, 0x00]);

export interface RtpFields {
  seq: number;
  timestamp: number;
  ssrc: number;
}

export interface RtpPacket extends RtpFields {
  version: number;
  payloadType: number;
  /** Decrypted payload with the extension body and padding removed. */
  payload: Buffer;
}

/** Builds an encrypted packet; `extension` adds a header extension as Discord clients do. */
export function sealRtp(mode: VoiceMode, key: Buffer, f: RtpFields, opus: Buffer, nonce: number, extension = true): Buffer {
  const header = Buffer.alloc(12);
  header[0] = extension ? 0x90 : 0x80;
  header[1] = RTP_PAYLOAD_TYPE;
  header.writeUInt16BE(f.seq & 0xffff, 2);
  header.writeUInt32BE(f.timestamp >>> 0, 4);
  header.writeUInt32BE(f.ssrc >>> 0, 8);
  const extHeader = Buffer.from([0xbe, 0xde, 0x00, EXTENSION_BODY.length / 4]);
  const aad = extension ? Buffer.concat([header, extHeader]) : header;
  const plaintext = extension ? Buffer.concat([EXTENSION_BODY, opus]) : opus;
  const counter = Buffer.alloc(NONCE_BYTES);
  counter.writeUInt32BE(nonce >>> 0, 0);
  return Buffer.concat([aad, seal(mode, key, nonce, aad, plaintext), counter]);
}

/** Parses and decrypts a packet; throws on malformed or unauthenticated packets. */
export function openRtp(mode: VoiceMode, key: Buffer, packet: Buffer): RtpPacket {
  if (packet.length < 12 + TAG_BYTES + NONCE_BYTES) throw new Error(`RTP packet too short (${packet.length} bytes)`);
  const first = packet[0] ?? 0;
  const csrcBytes = (first & 0x0f) * 4;
  const hasExtension = (first & 0x10) !== 0;
  const aadLength = 12 + csrcBytes + (hasExtension ? 4 : 0);
  const aad = packet.subarray(0, aadLength);
  const counter = packet.readUInt32BE(packet.length - NONCE_BYTES);
  let payload = open(mode, key, counter, aad, packet.subarray(aadLength, packet.length - NONCE_BYTES));
  if (hasExtension) payload = payload.subarray(4 * packet.readUInt16BE(12 + csrcBytes + 2));
  const padding = (first & 0x20) !== 0 ? (payload[payload.length - 1] ?? 0) : 0;
  if (padding > 0) payload = payload.subarray(0, Math.max(0, payload.length - padding));
  return {
    version: first >> 6,
    payloadType: (packet[1] ?? 0) & 0x7f,
    seq: packet.readUInt16BE(2),
    timestamp: packet.readUInt32BE(4),
    ssrc: packet.readUInt32BE(8),
    payload,
  };
}

export function isDiscoveryRequest(msg: Buffer): boolean {
  return msg.length === 74 && msg.readUInt16BE(0) === 1;
}

/** IP discovery answer: type 2, length 70, ssrc, NUL-terminated address (64 bytes), big-endian port. */
export function discoveryResponse(ssrc: number, address: string, port: number): Buffer {
  const out = Buffer.alloc(74);
  out.writeUInt16BE(2, 0);
  out.writeUInt16BE(70, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  out.write(address, 8, 63, 'utf8');
  out.writeUInt16BE(port, 72);
  return out;
}
