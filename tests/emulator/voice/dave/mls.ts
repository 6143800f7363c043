/**
 * The MLS pieces a DAVE voice server needs, over node:crypto (RFC 9420, cipher suite 2 = P-256/SHA-256/AES-128-GCM):
 * variable-length vectors, the external sender package (op 25), external Add/Remove proposals signed by the server
 * (op 27), ProposalRefs, key package checks (op 26) and splitting op 28 into commit + Welcome. Byte layouts follow
 * ../shared/notes/dave-protocol-facts.md (verified against @snazzah/davey 0.1.12).
 */
import { createHash, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/** RFC 9420 §2.1.2 variable-length size prefix. */
export function varint(n: number): Buffer {
  if (n < 64) return Buffer.from([n]);
  if (n < 16384) return Buffer.from([0x40 | (n >> 8), n & 0xff]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((0x80000000 | n) >>> 0);
  return b;
}

export const vec = (b: Buffer): Buffer => Buffer.concat([varint(b.length), b]);
const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
};

export class MlsReader {
  constructor(
    readonly buf: Buffer,
    public at = 0,
  ) {}
  private need(n: number): void {
    if (this.at + n > this.buf.length) throw new Error(`MLS: truncated at byte ${this.at} (need ${n})`);
  }
  u8(): number {
    this.need(1);
    return this.buf[this.at++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.at);
    this.at += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.at);
    this.at += 8;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }
  vec(): Buffer {
    const first = this.u8();
    const kind = first >> 6;
    let len = first & 0x3f;
    if (kind === 1) len = (len << 8) | this.u8();
    else if (kind === 2) len = ((len << 24) | (this.u8() << 16) | (this.u8() << 8) | this.u8()) >>> 0;
    else if (kind === 3) throw new Error('MLS: invalid vector length prefix');
    return this.bytes(len);
  }
  get rest(): Buffer {
    return this.buf.subarray(this.at);
  }
}

/** A user id (snowflake) as MLS basic credential identity / group id: big-endian u64. */
export const idBytes = (id: string): Buffer => u64(BigInt(id));

/** The server's external sender: a P-256 key pair; identity one byte 00 like Discord. */
export class ExternalSender {
  private readonly privateKey: KeyObject;
  readonly publicKey: Buffer;
  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    this.privateKey = privateKey;
    const jwk = publicKey.export({ format: 'jwk' });
    this.publicKey = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  }

  /** op 25 payload: ExternalSender{signature_key<V>, Credential{u16 1 basic, identity<V>}}. */
  package(): Buffer {
    return Buffer.concat([vec(this.publicKey), u16(1), vec(Buffer.from([0]))]);
  }

  /** An external proposal as a PublicMessage MLSMessage, signed over FramedContentTBS. */
  proposal(groupId: Buffer, epoch: number, proposal: Buffer): Buffer {
    const framed = Buffer.concat([
      vec(groupId),
      u64(BigInt(epoch)),
      Buffer.from([2]),
      u32(0),
      vec(Buffer.alloc(0)),
      Buffer.from([2]),
      proposal,
    ]);
    const tbs = Buffer.concat([u16(1), u16(1), framed]);
    const signature = signWithLabel(this.privateKey, 'FramedContentTBS', tbs);
    return Buffer.concat([u16(1), u16(1), framed, vec(signature)]);
  }

  add(groupId: Buffer, epoch: number, keyPackage: Buffer): Buffer {
    return this.proposal(groupId, epoch, Buffer.concat([u16(1), keyPackage]));
  }
  remove(groupId: Buffer, epoch: number, leaf: number): Buffer {
    return this.proposal(groupId, epoch, Buffer.concat([u16(3), u32(leaf)]));
  }
}

function signContent(label: string, content: Buffer): Buffer {
  return Buffer.concat([vec(Buffer.from(`MLS 1.0 ${label}`)), vec(content)]);
}
function signWithLabel(key: KeyObject, label: string, content: Buffer): Buffer {
  return sign('sha256', signContent(label, content), { key, dsaEncoding: 'der' });
}

/** ProposalRef = SHA-256(vec("MLS 1.0 Proposal Reference") | vec(MLSMessage without the 2-byte version)). */
export function proposalRef(mlsMessage: Buffer): Buffer {
  const input = Buffer.concat([vec(Buffer.from('MLS 1.0 Proposal Reference')), vec(mlsMessage.subarray(2))]);
  return createHash('sha256').update(input).digest();
}

/** op 27 append payload: u8 0 | <V> of MLSMessages. */
export function proposalsAppend(messages: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([0]), vec(Buffer.concat(messages))]);
}

interface LeafNode {
  signatureKey: Buffer;
  identity: Buffer;
}

/** LeafNode: encryption_key, signature_key, Credential, Capabilities (5 vectors), source, extensions, signature. */
function readLeafNode(r: MlsReader): LeafNode {
  r.vec();
  const signatureKey = r.vec();
  const credType = r.u16();
  if (credType !== 1) throw new Error(`credential type ${credType} is not basic (1)`);
  const identity = r.vec();
  for (let i = 0; i < 5; i++) r.vec();
  const source = r.u8();
  if (source === 1) r.bytes(16);
  else if (source === 3) r.vec();
  else if (source !== 2) throw new Error(`leaf node source ${source}`);
  r.vec();
  r.vec();
  return { signatureKey, identity };
}

function p256Key(raw: Buffer): KeyObject {
  if (raw.length !== 65 || raw[0] !== 4) throw new Error(`signature key is ${raw.length} bytes, not an uncompressed P-256 point`);
  const jwk = { kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33).toString('base64url') };
  return createPublicKey({ key: jwk, format: 'jwk' });
}

/**
 * Checks an op 26 payload (a bare KeyPackage, or one wrapped in an MLSMessage): MLS 1.0, suite 2, basic credential
 * naming `userId`, a valid KeyPackageTBS signature. Returns the bare KeyPackage; throws with the reason.
 */
export function checkKeyPackage(payload: Buffer, userId: string): Buffer {
  const kp = payload.length >= 4 && payload.readUInt16BE(2) === 5 ? payload.subarray(4) : payload;
  const r = new MlsReader(kp);
  const version = r.u16();
  const suite = r.u16();
  if (version !== 1 || suite !== 2) throw new Error(`version ${version} / cipher suite ${suite} (want 1 / 2)`);
  r.vec();
  const leaf = readLeafNode(r);
  r.vec();
  const tbsEnd = r.at;
  const signature = r.vec();
  if (r.at !== kp.length) throw new Error(`${kp.length - r.at} trailing bytes`);
  if (!leaf.identity.equals(idBytes(userId))) throw new Error(`credential identity ${leaf.identity.toString('hex')} is not user ${userId}`);
  const ok = verify(
    'sha256',
    signContent('KeyPackageTBS', kp.subarray(0, tbsEnd)),
    { key: p256Key(leaf.signatureKey), dsaEncoding: 'der' },
    signature,
  );
  if (!ok) throw new Error('KeyPackage signature does not verify');
  return kp;
}

export interface ParsedCommit {
  commit: Buffer;
  /** The Welcome that followed the commit (empty when nobody was added). */
  welcome: Buffer;
  epoch: number;
  /** ProposalRefs the commit covers (hex); inline proposals are counted apart. */
  refs: string[];
  inline: number;
}

/** Splits op 28 (MLSMessage commit, then a bare Welcome when someone is added). */
export function splitCommitWelcome(payload: Buffer): ParsedCommit {
  const r = new MlsReader(payload);
  if (r.u16() !== 1) throw new Error('commit: not MLS 1.0');
  const wire = r.u16();
  if (wire !== 1) throw new Error(`commit: wire format ${wire} is not a PublicMessage`);
  r.vec();
  const epoch = Number(r.u64());
  const senderType = r.u8();
  if (senderType === 1) r.u32();
  r.vec();
  const contentType = r.u8();
  if (contentType !== 3) throw new Error(`commit: content type ${contentType} is not a commit`);
  const { refs, inline } = readProposalOrRefs(new MlsReader(r.vec()));
  if (r.u8() === 1) {
    readLeafNode(r);
    r.vec();
  }
  r.vec();
  r.vec();
  if (senderType === 1) r.vec();
  return { commit: payload.subarray(0, r.at), welcome: payload.subarray(r.at), epoch, refs, inline };
}

function readProposalOrRefs(r: MlsReader): { refs: string[]; inline: number } {
  const refs: string[] = [];
  let inline = 0;
  while (r.at < r.buf.length) {
    const type = r.u8();
    if (type === 2) refs.push(r.vec().toString('hex'));
    else {
      inline++;
      break;
    }
  }
  return { refs, inline };
}
