/**
 * One bot's presence in one voice channel, as a state machine (like @discordjs/voice's AudioPlayer): every change
 * goes through the `state` setter, which validates it and emits 'stateChange' (old, new). Wires a VoiceLink's
 * audio into a voice pipeline, follows the pipeline's activity (listening / thinking / speaking), leaves after
 * `aloneTimeoutMs` without company, and gives a dropped connection `reconnectTimeoutMs` to come back.
 */
import { EventEmitter } from 'node:events';
import { speak, type VoicePipeline } from '../pipeline/build.js';
import type { Pcm } from '../ports.js';
import { observeHooks, type VoiceHooks } from './hooks.js';
import type { LinkStatus, VoiceLink } from './link.js';
import { assertTransition, isActive, type VoiceSessionState } from './state.js';

export interface VoiceSessionOptions {
  channelId: string;
  /** Leave after being alone (no human) this long. Default 60000. */
  aloneTimeoutMs?: number;
  /** A dropped connection that is not ready again within this is given up. Default 15000. */
  reconnectTimeoutMs?: number;
  /** Joining must finish within this. Default 20000. */
  connectTimeoutMs?: number;
  now?: () => number;
}

export type VoiceSessionEvents = {
  stateChange: [oldState: VoiceSessionState, newState: VoiceSessionState];
};

export class VoiceSession extends EventEmitter<VoiceSessionEvents> {
  private current: VoiceSessionState = { status: 'idle' };
  private aloneTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly connectAbort = new AbortController();
  private readonly cleanups: (() => void)[] = [];
  private readonly now: () => number;
  private teardown: Promise<void> | undefined;

  constructor(
    private readonly link: VoiceLink,
    private readonly voice: VoicePipeline,
    private readonly opts: VoiceSessionOptions,
    hooks: VoiceHooks = {},
  ) {
    super();
    this.now = opts.now ?? Date.now;
    this.cleanups.push(observeHooks(voice.pipeline, hooks));
    const onActivity = () => this.followActivity();
    voice.activity.on('change', onActivity);
    this.cleanups.push(() => voice.activity.off('change', onActivity));
  }

  get state(): VoiceSessionState {
    return this.current;
  }

  /** The only way the state changes: validates the transition and emits 'stateChange'. */
  set state(next: VoiceSessionState) {
    const old = this.current;
    assertTransition(old.status, next.status);
    this.current = next;
    this.emit('stateChange', old, next);
  }

  get channelId(): string {
    return this.opts.channelId;
  }

  /** Joins and starts the pipeline; rejects (and destroys the session) when that fails. */
  async start(): Promise<void> {
    const channelId = this.opts.channelId;
    this.state = { status: 'connecting', channelId };
    this.link.attach({
      status: (s) => this.onLinkStatus(s),
      audio: (userId, pcm) => this.onAudio(userId, pcm),
      audioEnd: (userId) => {
        if (isActive(this.current)) this.voice.pipeline.push({ kind: 'audio-end', userId });
      },
    });
    const timer = setTimeout(() => this.connectAbort.abort(new Error('voice connection timed out')), this.opts.connectTimeoutMs ?? 20_000);
    try {
      await Promise.all([this.voice.pipeline.start(), this.link.connect(this.connectAbort.signal)]);
    } catch (err) {
      // The connect error is the one to report, not a failure to stop the pipeline afterwards.
      await this.destroy(`connect failed: ${err instanceof Error ? err.message : String(err)}`).catch(() => undefined);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    if (this.current.status !== 'connecting') throw new Error(`voice session ${this.current.status} while connecting`);
    this.state = { status: 'listening', channelId, since: this.now() };
  }

  /** Number of humans in the channel (the bot excluded); 0 starts the alone timer, more clears it. */
  setCompany(humans: number): void {
    if (this.current.status === 'leaving' || this.current.status === 'destroyed') return;
    if (humans > 0) {
      clearTimeout(this.aloneTimer);
      this.aloneTimer = undefined;
    } else {
      this.aloneTimer ??= setTimeout(() => void this.leave('alone in the channel'), this.opts.aloneTimeoutMs ?? 60_000);
    }
  }

  /** Speaks text; resolves true when it was played whole, false when cut or impossible. */
  say(text: string): Promise<boolean> {
    if (!isActive(this.current)) return Promise.resolve(false);
    return speak(this.voice, text);
  }

  /** Stops playback and cancels the reply in flight. */
  interrupt(): void {
    this.voice.activity.cancelAll(null);
    this.voice.pipeline.push({ kind: 'interrupt', userId: null });
  }

  /** Leaves the channel: leaving → destroyed. */
  async leave(reason = 'left'): Promise<void> {
    const s = this.current;
    if (s.status === 'destroyed' || s.status === 'leaving') return this.teardown;
    if (s.status !== 'idle') this.state = { status: 'leaving', channelId: this.opts.channelId };
    await this.destroy(reason);
  }

  /**
   * Frees everything at once; safe to call in any state, and again from inside itself: the Discord link reports
   * 'gone' while it is destroyed (its connection's Destroyed state), which calls destroy() again before it returns.
   */
  destroy(reason = 'destroyed'): Promise<void> {
    if (this.teardown) return this.teardown;
    clearTimeout(this.aloneTimer);
    clearTimeout(this.reconnectTimer);
    for (const fn of this.cleanups.splice(0)) fn();
    this.teardown = this.voice.pipeline.stop();
    this.connectAbort.abort(new Error('voice session destroyed'));
    this.link.destroy();
    this.state = { status: 'destroyed', reason };
    return this.teardown;
  }

  private onAudio(userId: string, pcm: Pcm): void {
    if (isActive(this.current)) this.voice.pipeline.push({ kind: 'audio', userId, pcm });
  }

  private onLinkStatus(status: LinkStatus): void {
    const s = this.current;
    if (status === 'gone') {
      if (s.status !== 'destroyed' && s.status !== 'leaving') void this.destroy('voice connection lost');
      return;
    }
    if (status === 'down' && isActive(s)) {
      this.interrupt();
      this.state = { status: 'reconnecting', channelId: s.channelId, since: this.now() };
      this.reconnectTimer = setTimeout(() => void this.destroy('reconnect timed out'), this.opts.reconnectTimeoutMs ?? 15_000);
      return;
    }
    if (status === 'ready' && s.status === 'reconnecting') {
      clearTimeout(this.reconnectTimer);
      this.state = { status: 'listening', channelId: s.channelId, since: this.now() };
      this.followActivity();
    }
  }

  /** listening / thinking / speaking from the pipeline's activity. */
  private followActivity(): void {
    const s = this.current;
    if (!isActive(s)) return;
    const { audible, busy } = this.voice.activity.snapshot;
    const status = audible ? 'speaking' : busy ? 'thinking' : 'listening';
    if (status !== s.status) this.state = { status, channelId: s.channelId, since: this.now() };
  }
}
