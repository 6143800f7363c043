/**
 * One VoiceManager per bot: at most one VoiceSession per guild, each linked to a text channel for its transcripts
 * and replies (posted by the lead through the hooks).
 *
 *   const voice = new VoiceManager({ host: createClientVoiceHost(client), stt, tts, respond, hooks });
 *   await voice.join(guildId, voiceChannelId, textChannelId);  await voice.say(guildId, 'Hello');  await voice.destroyAll();
 */
import type { VoicePipelineOptions } from '../pipeline/build.js';
import type { VoiceTranscript } from '../pipeline/frames.js';
import type { SpeechToText, TextToSpeech } from '../ports.js';
import type { ErrorEvent, ReplyEvent, TranscriptEvent } from '../session/hooks.js';
import type { VoiceLink } from '../session/link.js';
import type { VoiceSession, VoiceSessionOptions } from '../session/session.js';
import type { VoiceSessionState } from '../session/state.js';
import type { Logger } from 'pino';
import type { LinkInfo } from '../session/link.js';
import type { VoiceHost } from './host.js';
import type { DiscordLinkOptions } from './link.js';

/**
 * The session, the pipeline and the Discord link (with @discordjs/voice, prism-media, Opus and DAVE): imported on
 * the first join, so starting Eos (and text-only servers) never load them.
 */
async function loadVoiceModules(discord: boolean) {
  const [{ VoiceSession }, { createVoicePipeline }, link] = await Promise.all([
    import('../session/session.js'),
    import('../pipeline/build.js'),
    discord ? import('./link.js') : null,
  ]);
  return { VoiceSession, createVoicePipeline, DiscordVoiceLink: link?.DiscordVoiceLink ?? null };
}

type VoiceModules = Awaited<ReturnType<typeof loadVoiceModules>>;

export interface VoiceContext {
  guildId: string;
  voiceChannelId: string;
  textChannelId: string;
}

export type VoiceTurn = VoiceTranscript & VoiceContext;

export interface VoiceManagerHooks {
  onTranscript?(ctx: VoiceContext, event: TranscriptEvent): void;
  onReply?(ctx: VoiceContext, event: ReplyEvent): void;
  onError?(ctx: VoiceContext, event: ErrorEvent): void;
  onStateChange?(ctx: VoiceContext, oldState: VoiceSessionState, newState: VoiceSessionState): void;
}

export type LinkTuning = Pick<
  DiscordLinkOptions,
  'receiveSilenceMs' | 'rejoinAttempts' | 'recoverTimeoutMs' | 'reconnectGraceMs' | 'player' | 'recovery'
>;

/** What `!voice` shows about a guild's session. */
export interface VoiceStatus {
  state: VoiceSessionState['status'];
  voiceChannelId: string;
  textChannelId: string;
  link: LinkInfo | null;
  /** Display names of the DAVE group's members (the bot included), else of nobody. */
  memberNames: string[];
}

export interface VoiceManagerOptions {
  host: VoiceHost;
  stt: SpeechToText;
  tts: TextToSpeech;
  /** The conversation: yields the reply's text deltas for what a user said; stop when `signal` aborts. */
  respond(turn: VoiceTurn, opts: { signal: AbortSignal }): AsyncIterable<string>;
  hooks?: VoiceManagerHooks;
  pipeline?: Omit<VoicePipelineOptions, 'stt' | 'tts' | 'respond' | 'sink'>;
  session?: Omit<VoiceSessionOptions, 'channelId'>;
  link?: LinkTuning;
  /** Recoveries (voice protocol errors caught, streams re-subscribed, DAVE re-initialised, rejoins) are logged here. */
  log?: Logger;
  /** Replaces the Discord link (tests, other platforms). */
  createLink?(p: { guildId: string; channelId: string }): VoiceLink;
}

interface Entry {
  session: VoiceSession;
  link: VoiceLink;
  ctx: VoiceContext;
  started: Promise<void>;
}

export class VoiceManager {
  private readonly sessions = new Map<string, Entry>();
  private unsubscribe: (() => void) | undefined;
  private modules: Promise<VoiceModules> | undefined;

  constructor(private readonly opts: VoiceManagerOptions) {}

  get(guildId: string): VoiceSession | undefined {
    return this.sessions.get(guildId)?.session;
  }

  /** The text channel linked to the guild's session. */
  textChannelOf(guildId: string): string | undefined {
    return this.sessions.get(guildId)?.ctx.textChannelId;
  }

  /** Joins (or moves to) a voice channel; resolves once listening. Rejects when the connection fails. */
  async join(guildId: string, channelId: string, textChannelId: string): Promise<VoiceSession> {
    // Before anything is checked: from here on, nothing awaits until the session is registered (as before lazy loading).
    const mods = await this.loadModules();
    const existing = this.sessions.get(guildId);
    if (existing && existing.ctx.voiceChannelId === channelId) {
      existing.ctx.textChannelId = textChannelId;
      await existing.started;
      return existing.session;
    }
    if (existing) await existing.session.leave('moved to another channel');
    this.unsubscribe ??= this.opts.host.onVoiceStateChange((g) => this.onVoiceStates(g));
    const ctx: VoiceContext = { guildId, voiceChannelId: channelId, textChannelId };
    const { session, link } = this.createSession(ctx, mods);
    session.on('stateChange', (old, next) => {
      if (next.status === 'destroyed' && this.sessions.get(guildId)?.session === session) this.sessions.delete(guildId);
      this.opts.hooks?.onStateChange?.(ctx, old, next);
    });
    const started = session.start();
    this.sessions.set(guildId, { session, link, ctx, started });
    await started;
    session.setCompany(this.opts.host.humansIn(guildId, channelId));
    return session;
  }

  /** The guild's session as `!voice` shows it; undefined when not in a voice channel there. */
  async status(guildId: string): Promise<VoiceStatus | undefined> {
    const entry = this.sessions.get(guildId);
    if (!entry) return undefined;
    const link = entry.link.info?.() ?? null;
    const memberNames = await Promise.all((link?.dave?.memberIds ?? []).map((id) => this.opts.host.displayName(guildId, id)));
    return {
      state: entry.session.state.status,
      voiceChannelId: entry.ctx.voiceChannelId,
      textChannelId: entry.ctx.textChannelId,
      link,
      memberNames,
    };
  }

  /** Leaves the guild's voice channel; false when not in one. */
  async leave(guildId: string): Promise<boolean> {
    const entry = this.sessions.get(guildId);
    if (!entry) return false;
    await entry.session.leave();
    return true;
  }

  /** Speaks text in the guild's voice channel (TTS + play); true when played whole. */
  async say(guildId: string, text: string): Promise<boolean> {
    const session = this.get(guildId);
    if (!session) throw new Error('not in a voice channel in this server');
    return session.say(text);
  }

  /** Leaves every channel (shutdown). */
  async destroyAll(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await Promise.all([...this.sessions.values()].map((e) => e.session.leave('shutdown')));
    this.sessions.clear();
  }

  private loadModules(): Promise<VoiceModules> {
    this.modules ??= loadVoiceModules(!this.opts.createLink).catch((err: unknown) => {
      this.modules = undefined; // the next join tries again
      throw err;
    });
    return this.modules;
  }

  private createSession(ctx: VoiceContext, mods: VoiceModules): { session: VoiceSession; link: VoiceLink } {
    const { host, hooks } = this.opts;
    const link = this.opts.createLink?.({ guildId: ctx.guildId, channelId: ctx.voiceChannelId }) ?? this.discordLink(ctx, mods);
    const voice = mods.createVoicePipeline({
      ...this.opts.pipeline,
      stt: this.opts.stt,
      tts: this.opts.tts,
      sink: link.sink,
      respond: (t, o) => this.opts.respond({ ...t, ...ctx }, o),
      transcribe: { ...this.opts.pipeline?.transcribe, speakerName: (userId) => host.displayName(ctx.guildId, userId) },
    });
    const session = new mods.VoiceSession(
      link,
      voice,
      { ...this.opts.session, channelId: ctx.voiceChannelId },
      {
        onTranscript: (e) => hooks?.onTranscript?.(ctx, e),
        onReply: (e) => hooks?.onReply?.(ctx, e),
        onError: (e) => hooks?.onError?.(ctx, e),
      },
    );
    return { session, link };
  }

  private discordLink(ctx: VoiceContext, mods: VoiceModules): VoiceLink {
    const { host } = this.opts;
    if (!mods.DiscordVoiceLink) throw new Error('the Discord voice link was not loaded');
    const adapterCreator = host.adapterCreator(ctx.guildId);
    if (!adapterCreator) throw new Error(`unknown guild ${ctx.guildId}`);
    const botId = host.botUserId();
    return new mods.DiscordVoiceLink({
      ...this.opts.link,
      guildId: ctx.guildId,
      channelId: ctx.voiceChannelId,
      adapterCreator,
      ...(botId ? { group: botId } : {}),
      acceptUser: (userId) => userId !== host.botUserId() && !host.isBot(ctx.guildId, userId),
      isPresent: (userId) => (host.channelOf ? host.channelOf(ctx.guildId, userId) === ctx.voiceChannelId : true),
      onError: (error) => this.opts.hooks?.onError?.(ctx, { stage: 'connection', error }),
      onRecovery: (r) => this.opts.log?.warn({ guild: ctx.guildId, recovery: r.kind, detail: r.detail }, 'voice recovery'),
    });
  }

  private onVoiceStates(guildId: string): void {
    const entry = this.sessions.get(guildId);
    if (entry) entry.session.setCompany(this.opts.host.humansIn(guildId, entry.ctx.voiceChannelId));
  }
}
