/**
 * Eos composed in-process like src/app.ts, with the recording FakeSurface and a hostile model in
 * place of Discord and the LLM: the real Router, commands, ConversationService, Responder,
 * VoiceMessageListener, state store and datasets, in a temp data folder.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config.js';
import { createStateStore, type StateStore } from '../../src/state/store.js';
import { createCommandIndex } from '../../src/commands/index.js';
import { AccessPolicy } from '../../src/core/access.js';
import { InstructionLibrary } from '../../src/core/instructions.js';
import { Router } from '../../src/core/router.js';
import { buildTrainingServices } from '../../src/wiring.js';
import { ChannelHistories } from '../../src/conversation/history.js';
import { BoundedQueue } from '../../src/conversation/queue.js';
import { Responder } from '../../src/conversation/responder.js';
import { ConversationService } from '../../src/conversation/service.js';
import { VoiceMessageListener } from '../../src/voice/voice-messages.js';
import { LlmError, type ChatMessage, type ChatModel, type CompletionOptions } from '../../src/llm/port.js';
import { FakeSurface } from '../fakes/surface.js';
import { FakeSpeechToText } from '../fakes/speech.js';
import { PROJECT_ROOT } from '../e2e/harness.js';
import type { Rng } from './gen.js';

/**
 * A model that misbehaves the way a real one can: echoes the hostile input back (mentions, fences
 * and all), adds @everyone and role pings, refuses, fails, or answers with nothing. It honours
 * maxTokens (about 4 characters a token) like an OpenAI-compatible endpoint does.
 */
export class HostileModel implements ChatModel {
  readonly description = 'hostile';
  calls = 0;
  constructor(
    private readonly r: Rng,
    private readonly roleId: string,
  ) {}

  async complete(messages: ChatMessage[], opts?: CompletionOptions): Promise<string> {
    this.calls++;
    return this.answer(messages, opts);
  }

  async *stream(messages: ChatMessage[], opts?: CompletionOptions): AsyncIterable<string> {
    this.calls++;
    const text = this.answer(messages, opts);
    for (let i = 0; i < text.length; i += 97) yield text.slice(i, i + 97);
  }

  private answer(messages: ChatMessage[], opts?: CompletionOptions): string {
    const last = messages.at(-1)?.content ?? '';
    const roll = this.r();
    if (roll < 0.04) throw new LlmError('http', 'boom', 500);
    if (roll < 0.06) return '';
    if (roll < 0.08) return "I'm sorry, but I can't help with that.";
    const spice = ['@everyone ', '@here ', `<@&${this.roleId}> `, '```\n', '<@!1> '][Math.floor(this.r() * 5)]!;
    const text = `${spice}${last}`;
    const cap = (opts?.maxTokens ?? 1024) * 4;
    return text.slice(0, cap);
  }
}

export interface InProcess {
  router: Router;
  state: StateStore;
  surface: FakeSurface;
  model: HostileModel;
  dataDir: string;
  logs: string[];
  clock: { t: number };
  /** The LLM queue every reply and reaction goes through (idle: no model call running or waiting). */
  queue: BoundedQueue;
  close(): Promise<void>;
}

export async function startInProcess(r: Rng, opts: { roleId: string; behaviour?: Record<string, unknown> }): Promise<InProcess> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eos-hostile-'));
  await writeFile(path.join(dataDir, 'eos.config.json'), JSON.stringify(opts.behaviour ?? {}));
  const config = loadConfig({ env: { EOS_DATA_DIR: dataDir, EOS_OWNER_IDS: 'owner' }, cwd: PROJECT_ROOT, envFile: false });
  const logs: string[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void logs.push(s) });
  const state = await createStateStore(config.paths.state);
  const training = await buildTrainingServices(config, state, log);
  const surface = new FakeSurface(false);
  const model = new HostileModel(r, opts.roleId);
  const conv = config.bot.conversation;
  const histories = new ChannelHistories({ max: conv.historyMax, ttlMs: conv.historyTtlHours * 3_600_000 });
  const queue = new BoundedQueue({ concurrency: conv.maxConcurrent, maxQueued: conv.maxQueue });
  const responder = new Responder({
    config: conv,
    botName: config.bot.name,
    model,
    surface,
    state,
    histories,
    queue,
    memory: training.memory,
    fewShot: config.bot.training.fewShot,
    log: log.child({ component: 'responder' }),
    capture: async (c) => training.feedback.capture(c),
  });
  const access = new AccessPolicy(config.bot);
  const services = {
    config,
    state,
    surface,
    access,
    commands: createCommandIndex(),
    model,
    startedAt: new Date(),
    instructions: new InstructionLibrary(path.join(PROJECT_ROOT, 'INSTRUCTION.md'), config.paths.instructions),
    datasets: training.datasets,
    feedback: training.feedback,
    evaluations: training.evaluations,
    fineTune: null,
    follower: null,
    voice: null,
  };
  const clock = { t: 1_700_000_000_000 };
  const conversation = new ConversationService({
    config: conv,
    state,
    surface,
    access,
    responder,
    histories,
    transcript: training.transcript,
    log: log.child({ component: 'conversation' }),
    random: r,
    now: () => clock.t,
  });
  const listener = new VoiceMessageListener(conversation, { stt: new FakeSpeechToText('hello'), surface, access, log });
  const router = new Router(services, listener, log.child({ component: 'router' }));
  return {
    router,
    state,
    surface,
    model,
    dataDir,
    logs,
    clock,
    queue,
    async close() {
      await Promise.all([training.datasets.close(), training.feedback.close(), training.transcript.close()]);
      await state.flush();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
