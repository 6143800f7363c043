/**
 * The two "rtpsize" AEAD modes of Discord voice, with node:crypto only.
 * aead_aes256_gcm_rtpsize: AES-256-GCM, nonce = 4-byte big-endian counter padded with zeros to 12 bytes.
 * aead_xchacha20_poly1305_rtpsize: XChaCha20-Poly1305, nonce = the counter padded to 24 bytes. Node has no XChaCha, so
 * it is built from HChaCha20 (derived from OpenSSL's chacha20 keystream) + IETF chacha20-poly1305.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { VoiceMode } from './types.js';

const TAG = 16;
const SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];

/**
 * HChaCha20(key, 16-byte nonce). OpenSSL's chacha20 takes a 16-byte IV that fills state words 12-15 exactly like
 * HChaCha20's input; its first keystream block is rounds(state) + state, so subtracting the known input words
 * (constants 0-3, nonce 12-15) gives HChaCha20's output.
 */
export function hchacha20(key: Buffer, nonce16: Buffer): Buffer {
  const cipher = createCipheriv('chacha20', key, nonce16);
  const block = Buffer.concat([cipher.update(Buffer.alloc(64)), cipher.final()]);
  const out = Buffer.alloc(32);
  for (let i = 0; i < 4; i++) {
    out.writeUInt32LE((block.readUInt32LE(i * 4) - (SIGMA[i] ?? 0)) >>> 0, i * 4);
    out.writeUInt32LE((block.readUInt32LE(48 + i * 4) - nonce16.readUInt32LE(i * 4)) >>> 0, 16 + i * 4);
  }
  return out;
}

function xchachaParams(key: Buffer, nonce24: Buffer): { subkey: Buffer; nonce12: Buffer } {
  const nonce12 = Buffer.concat([Buffer.alloc(4), nonce24.subarray(16, 24)]);
  return { subkey: hchacha20(key, nonce24.subarray(0, 16)), nonce12 };
}

/** XChaCha20-Poly1305 (IETF): ciphertext || 16-byte tag. */
export function xchachaSeal(key: Buffer, nonce24: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const { subkey, nonce12 } = xchachaParams(key, nonce24);
  const c = createCipheriv('chacha20-poly1305', subkey, nonce12, { authTagLength: TAG });
  c.setAAD(aad, { plaintextLength: plaintext.length });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

export function xchachaOpen(key: Buffer, nonce24: Buffer, sealed: Buffer, aad: Buffer): Buffer {
  const { subkey, nonce12 } = xchachaParams(key, nonce24);
  const d = createDecipheriv('chacha20-poly1305', subkey, nonce12, { authTagLength: TAG });
  d.setAAD(aad, { plaintextLength: sealed.length - TAG });
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
}

/** The full nonce for a mode from the 32-bit counter carried (big-endian) at the end of each packet. */
export function modeNonce(mode: VoiceMode, counter: number): Buffer {
  const nonce = Buffer.alloc(mode === 'aead_aes256_gcm_rtpsize' ? 12 : 24);
  nonce.writeUInt32BE(counter >>> 0, 0);
  return nonce;
}

/** Encrypts: ciphertext || 16-byte tag. */
export function seal(mode: VoiceMode, key: Buffer, counter: number, aad: Buffer, plaintext: Buffer): Buffer {
  const nonce = modeNonce(mode, counter);
  if (mode === 'aead_xchacha20_poly1305_rtpsize') return xchachaSeal(key, nonce, plaintext, aad);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Decrypts ciphertext || tag; throws when authentication fails. */
export function open(mode: VoiceMode, key: Buffer, counter: number, aad: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < TAG) throw new Error('sealed payload shorter than the auth tag');
  const nonce = modeNonce(mode, counter);
  if (mode === 'aead_xchacha20_poly1305_rtpsize') return xchachaOpen(key, nonce, sealed, aad);
  const d = createDecipheriv('aes-256-gcm', key, nonce);
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
}
