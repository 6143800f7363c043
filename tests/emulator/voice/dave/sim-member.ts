/**
 * A simulated user's DAVE client: a real MLS participant (@snazzah/davey) that answers the emulator's DAVE server the
 * way Discord clients do (commits proposals at once, op 23 after a commit/Welcome, op 31 + a fresh key package when
 * one fails, re-initialises on op 24 epoch 1), encrypts what the user says and decrypts what the bot says.
 * Messages are delivered asynchronously (setImmediate, in order), like over a network.
 */
import davey, { type DAVESession, type ProposalsOperationType } from '@snazzah/davey';
import type { DaveGroup, DaveLink } from './group.js';

const OPUS_SILENCE = Buffer.from([0xf8, 0xff, 0xfe]);

export class SimDaveMember implements DaveLink {
  readonly session: DAVESession;
  private closed = false;
  readonly errors: string[] = [];

  constructor(
    readonly userId: string,
    private readonly channelId: string,
    private readonly group: DaveGroup,
    /** User ids present in the channel (recognized for Add proposals). */
    private readonly present: () => string[],
  ) {
    this.session = new davey.DAVESession(1, userId, channelId);
  }

  /** Joins the group: op 25 comes from the server, then our key package goes out. */
  start(): void {
    this.group.join(this);
    this.later(() => this.group.onKeyPackage(this.userId, this.session.getSerializedKeyPackage()));
  }

  close(): void {
    this.closed = true;
  }

  json(op: number, d: unknown): void {
    this.later(() => this.onJson(op, d as { transition_id?: number; epoch?: number }));
  }

  binary(op: number, payload: Buffer): void {
    const copy = Buffer.from(payload);
    this.later(() => this.onBinary(op, copy));
  }

  get ready(): boolean {
    return this.session.ready;
  }

  /** DAVE-encrypts an Opus frame when the group is ready (silence always goes plain, like the clients). */
  encrypt(opus: Buffer): Buffer {
    if (!this.session.ready || opus.equals(OPUS_SILENCE)) return opus;
    return this.session.encryptOpus(opus);
  }

  /** Decrypts a frame from another member; null when it cannot. */
  decrypt(fromUserId: string, frame: Buffer): Buffer | null {
    try {
      return this.session.decrypt(fromUserId, 0, frame);
    } catch {
      return null;
    }
  }

  private later(fn: () => void): void {
    setImmediate(() => {
      if (this.closed) return;
      try {
        fn();
      } catch (err) {
        this.errors.push(String(err));
      }
    });
  }

  private onJson(op: number, d: { transition_id?: number; epoch?: number }): void {
    if (op === 24 && d.epoch === 1) {
      this.session.reinit(1, this.userId, this.channelId);
      this.group.onKeyPackage(this.userId, this.session.getSerializedKeyPackage());
    } else if (op === 21 && d.transition_id) {
      this.group.onReady(this.userId, d.transition_id);
    }
  }

  private onBinary(op: number, payload: Buffer): void {
    if (op === 25) return this.session.setExternalSender(payload);
    if (op === 27) {
      const others = this.present().filter((u) => u !== this.userId);
      const { commit, welcome } = this.session.processProposals(payload[0] as ProposalsOperationType, payload.subarray(1), others);
      if (commit) this.group.onCommitWelcome(this.userId, welcome ? Buffer.concat([commit, welcome]) : commit);
      return;
    }
    if (op !== 29 && op !== 30) return;
    const tid = payload.readUInt16BE(0);
    try {
      if (op === 29) this.session.processCommit(payload.subarray(2));
      else this.session.processWelcome(payload.subarray(2));
    } catch (err) {
      this.errors.push(`op ${op}: ${String(err)}`);
      this.group.onInvalidCommitWelcome(this.userId, tid);
      this.session.reinit(1, this.userId, this.channelId);
      this.group.onKeyPackage(this.userId, this.session.getSerializedKeyPackage());
      return;
    }
    if (tid !== 0) this.group.onReady(this.userId, tid);
  }
}
