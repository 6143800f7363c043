/**
 * The DAVE server role for one voice channel (group id = channel id): members' key packages (op 26) become external
 * Add proposals (op 27) signed by the emulator, the first commit (op 28) wins and is announced (op 29 to members,
 * op 30 Welcome to the added), transitions complete with op 23 from everyone then op 22. A new group's commit uses
 * transition id 0 (executed at once). Leaves become Remove proposals; a sole remaining member is reset with op 24
 * `{epoch: 1}` + op 21 `{transition_id: 0}`; op 31 removes the member, whose fresh key package re-adds it.
 * One change runs at a time (queue); a commit or a transition that does not come within `stallMs` is given up.
 */
import { checkKeyPackage, ExternalSender, idBytes, proposalRef, proposalsAppend, splitCommitWelcome } from './mls.js';

export interface DaveLink {
  readonly userId: string;
  json(op: number, d: unknown): void;
  binary(op: number, payload: Buffer): void;
}

interface Member {
  link: DaveLink;
  keyPackage: Buffer | null;
  leaf: number | null;
}

type Action = { kind: 'add' | 'remove'; userId: string };

interface Round {
  kind: 'add' | 'remove';
  userId: string;
  epoch: number;
  ref: string;
  /** Who got the proposal (the possible committers). */
  to: string[];
  newGroup: boolean;
  timer: NodeJS.Timeout;
}

export interface DaveTransitionRecord {
  transitionId: number;
  kind: 'add' | 'remove';
  userId: string;
  committer: string;
  epoch: number;
  at: number;
  executedAt?: number;
}

export class DaveGroup {
  readonly sender = new ExternalSender();
  private readonly groupId: Buffer;
  private readonly members = new Map<string, Member>();
  private readonly queue: Action[] = [];
  private round: Round | null = null;
  private transition: { id: number; waiting: Set<string>; to: string[]; timer: NodeJS.Timeout; record: DaveTransitionRecord } | null = null;
  private lastTid = 0;
  private readonly doneRefs = new Set<string>();
  /** Epoch of the established group (0: none). */
  epoch = 0;
  /** Leaf index -> user id (null: blank). */
  leaves: (string | null)[] = [];
  readonly transitions: DaveTransitionRecord[] = [];
  readonly resets: { userId: string; at: number }[] = [];
  /** User ids whose next Welcome is corrupted (fault injection). */
  readonly corruptWelcomeFor = new Set<string>();

  constructor(
    readonly channelId: string,
    private readonly violation: (msg: string) => void,
    private readonly stallMs = 8000,
  ) {
    this.groupId = idBytes(channelId);
  }

  /** Members in the MLS group (by leaf). */
  get inGroup(): string[] {
    return this.leaves.filter((u): u is string => u !== null);
  }
  isMember(userId: string): boolean {
    return this.leaves.includes(userId);
  }
  /** Members that re-initialised (op 31 or a new key package) and wait to be removed and added again. */
  private readonly resetting = new Set<string>();

  /** In the group with its keys: its audio must be DAVE-encrypted. */
  expectsDave(userId: string): boolean {
    return this.isMember(userId) && !this.resetting.has(userId);
  }

  /** When the user last entered the group (as added member or new group's committer); 0 when never. */
  memberSince(userId: string): number {
    const t = this.transitions.findLast(
      (r) => r.kind === 'add' && (r.userId === userId || (r.transitionId === 0 && r.committer === userId)),
    );
    return t?.executedAt ?? t?.at ?? 0;
  }
  /** In the group, or waiting with a key package. */
  hasJoined(userId: string): boolean {
    return this.isMember(userId) || Boolean(this.members.get(userId)?.keyPackage);
  }
  get idle(): boolean {
    return !this.round && !this.transition && this.queue.length === 0;
  }

  /** A DAVE-capable client connected: op 25 at once. */
  join(link: DaveLink): void {
    if (this.members.has(link.userId)) this.leave(link.userId);
    this.members.set(link.userId, { link, keyPackage: null, leaf: null });
    link.binary(25, this.sender.package());
  }

  leave(userId: string): void {
    if (!this.members.has(userId)) return;
    if (this.transition?.waiting.delete(userId)) this.maybeExecute();
    this.enqueue({ kind: 'remove', userId });
    this.members.delete(userId);
  }

  onKeyPackage(userId: string, payload: Buffer): void {
    const m = this.members.get(userId);
    if (!m) return this.violation(`DAVE op 26 from ${userId}, who is not connected with DAVE`);
    try {
      m.keyPackage = checkKeyPackage(payload, userId);
    } catch (err) {
      return this.violation(`DAVE op 26: bad key package from ${userId}: ${(err as Error).message}`);
    }
    if (this.isMember(userId)) {
      this.resetting.add(userId);
      this.enqueue({ kind: 'remove', userId });
    }
    this.enqueue({ kind: 'add', userId });
  }

  onInvalidCommitWelcome(userId: string, transitionId: number): void {
    this.resetting.add(userId);
    if (this.transition?.waiting.delete(userId)) this.maybeExecute();
    this.resets.push({ userId, at: Date.now() });
    void transitionId;
    this.enqueue({ kind: 'remove', userId });
  }

  onReady(userId: string, transitionId: number): void {
    if (!this.transition || this.transition.id !== transitionId) return;
    this.transition.waiting.delete(userId);
    this.maybeExecute();
  }

  onCommitWelcome(userId: string, payload: Buffer): void {
    let parsed;
    try {
      parsed = splitCommitWelcome(payload);
    } catch (err) {
      return this.violation(`DAVE op 28 from ${userId} cannot be parsed: ${(err as Error).message}`);
    }
    const r = this.round;
    if (!r || !parsed.refs.includes(r.ref)) {
      if (parsed.refs.some((ref) => this.doneRefs.has(ref))) return;
      return this.violation(`DAVE op 28 from ${userId}: commit for proposals the server has not sent or already resolved`);
    }
    if (!r.to.includes(userId)) return this.violation(`DAVE op 28 from ${userId}, who was not sent the proposals`);
    if (parsed.epoch !== r.epoch)
      return this.violation(`DAVE op 28 from ${userId}: commit for epoch ${parsed.epoch}, group is at ${r.epoch}`);
    if (parsed.inline > 0) this.violation(`DAVE op 28 from ${userId}: inline proposals (DAVE commits reference proposals)`);
    if (r.kind === 'add' && parsed.welcome.length === 0) return this.violation(`DAVE op 28 from ${userId}: an Add commit without Welcome`);
    clearTimeout(r.timer);
    this.round = null;
    this.doneRefs.add(r.ref);
    this.announce(r, userId, parsed.commit, parsed.welcome);
  }

  private enqueue(a: Action): void {
    this.queue.push(a);
    this.pump();
  }

  private pump(): void {
    while (!this.round && !this.transition) {
      const next = this.queue.shift();
      if (!next) return;
      if (next.kind === 'add') this.startAdd(next.userId);
      else this.startRemove(next.userId);
    }
  }

  private startAdd(userId: string): void {
    const m = this.members.get(userId);
    if (!m?.keyPackage || this.isMember(userId)) return;
    const established = this.inGroup.length > 0;
    const to = established
      ? this.inGroup
      : [...this.members.values()].filter((o) => o.keyPackage && o.link.userId !== userId).map((o) => o.link.userId);
    if (to.length === 0) return;
    const proposal = this.sender.add(this.groupId, this.epoch, m.keyPackage);
    this.propose({ kind: 'add', userId, epoch: this.epoch, newGroup: !established, to }, proposal);
  }

  private startRemove(userId: string): void {
    const leaf = this.leaves.indexOf(userId);
    if (leaf < 0) return;
    const others = this.inGroup.filter((u) => u !== userId);
    if (others.length >= 2) {
      this.propose(
        { kind: 'remove', userId, epoch: this.epoch, newGroup: false, to: others },
        this.sender.remove(this.groupId, this.epoch, leaf),
      );
      return;
    }
    this.epoch = 0;
    this.leaves = [];
    for (const sole of others) this.resetSole(sole);
  }

  /** The only member left: the group is recreated later; the client resets and sends a new key package. */
  private resetSole(userId: string): void {
    const m = this.members.get(userId);
    if (!m) return;
    m.keyPackage = null;
    this.resets.push({ userId, at: Date.now() });
    m.link.json(24, { protocol_version: 1, epoch: 1 });
    m.link.json(21, { transition_id: 0, protocol_version: 1 });
  }

  private propose(r: Omit<Round, 'ref' | 'timer'>, proposal: Buffer): void {
    const timer = setTimeout(() => {
      if (this.round?.ref !== ref) return;
      this.round = null;
      this.violation(`DAVE: nobody committed the ${r.kind} of ${r.userId} within ${this.stallMs} ms (sent to ${r.to.join(', ')})`);
      this.pump();
    }, this.stallMs);
    const ref = proposalRef(proposal).toString('hex');
    this.round = { ...r, ref, timer };
    const payload = proposalsAppend([proposal]);
    for (const u of r.to) this.members.get(u)?.link.binary(27, payload);
  }

  private announce(r: Round, committer: string, commit: Buffer, welcome: Buffer): void {
    const tid = r.newGroup ? 0 : (this.lastTid = (this.lastTid % 65535) + 1);
    const tidBytes = Buffer.from([tid >> 8, tid & 0xff]);
    const commitTo = r.newGroup ? [committer] : r.to;
    if (r.newGroup) this.leaves = [committer];
    if (r.kind === 'add') {
      const blank = this.leaves.indexOf(null);
      this.leaves[blank < 0 ? this.leaves.length : blank] = r.userId;
    } else {
      this.leaves[this.leaves.indexOf(r.userId)] = null;
      while (this.leaves.length > 0 && this.leaves.at(-1) === null) this.leaves.pop();
    }
    this.epoch = r.epoch + 1;
    this.resetting.delete(r.userId);
    const record: DaveTransitionRecord = {
      transitionId: tid,
      kind: r.kind,
      userId: r.userId,
      committer,
      epoch: this.epoch,
      at: Date.now(),
    };
    this.transitions.push(record);
    for (const u of commitTo) this.members.get(u)?.link.binary(29, Buffer.concat([tidBytes, commit]));
    const all = [...commitTo];
    if (r.kind === 'add') {
      all.push(r.userId);
      const added = this.members.get(r.userId);
      if (added) added.keyPackage = null;
      const w = this.corruptWelcomeFor.delete(r.userId) ? corrupt(welcome) : welcome;
      this.members.get(r.userId)?.link.binary(30, Buffer.concat([tidBytes, w]));
    }
    if (r.newGroup)
      for (const [u, m] of this.members)
        if (m.keyPackage && !this.isMember(u) && u !== r.userId) this.queue.push({ kind: 'add', userId: u });
    if (tid === 0) {
      record.executedAt = Date.now();
      return this.pump();
    }
    const timer = setTimeout(() => this.maybeExecute(true), this.stallMs);
    this.transition = { id: tid, waiting: new Set(all.filter((u) => this.members.has(u))), to: all, timer, record };
    this.maybeExecute();
  }

  private maybeExecute(force = false): void {
    const t = this.transition;
    if (!t || (t.waiting.size > 0 && !force)) return;
    if (t.waiting.size > 0)
      this.violation(`DAVE: no op 23 for transition ${t.id} from ${[...t.waiting].join(', ')} within ${this.stallMs} ms`);
    clearTimeout(t.timer);
    this.transition = null;
    t.record.executedAt = Date.now();
    for (const u of t.to) this.members.get(u)?.link.json(22, { transition_id: t.id });
    this.pump();
  }

  close(): void {
    if (this.round) clearTimeout(this.round.timer);
    if (this.transition) clearTimeout(this.transition.timer);
    this.round = null;
    this.transition = null;
    this.queue.length = 0;
  }
}

function corrupt(welcome: Buffer): Buffer {
  const out = Buffer.from(welcome);
  for (let i = Math.floor(out.length / 2); i < out.length; i += 7) out[i] = (out[i] ?? 0) ^ 0x5a;
  return out;
}
