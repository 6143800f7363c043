import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { beforeEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { createStateStore } from '../../../src/state/store.js';
import { AccessPolicy } from '../../../src/core/access.js';
import { InstructionLibrary } from '../../../src/core/instructions.js';
import { Router } from '../../../src/core/router.js';
import { createCommandIndex } from '../../../src/commands/index.js';
import { defineCommand } from '../../../src/core/command.js';
import { UserError } from '../../../src/core/errors.js';
import type { IncomingMessage } from '../../../src/chat/types.js';
import { FakeSurface, incoming } from '../../fakes/surface.js';
import { FakeModel } from '../../fakes/model.js';
import { buildTrainingServices } from '../../../src/wiring.js';

const root = path.resolve(import.meta.dirname, '../../..');

async function setup(overrides: { owners?: string[] } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'eos-router-'));
  const config = loadConfig({
    env: { EOS_DATA_DIR: dataDir, EOS_OWNER_IDS: (overrides.owners ?? ['owner']).join(',') },
    cwd: root,
    envFile: false,
  });
  const state = await createStateStore(path.join(dataDir, 'state', 'eos.json'));
  const heard: IncomingMessage[] = [];
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void logs.push(s) });
  const surface = new FakeSurface();
  const commands = createCommandIndex();
  commands.set(
    'boom',
    defineCommand({
      name: 'boom',
      description: 'fails',
      usage: 'boom',
      category: 'General',
      options: [],
      preconditions: [],
      async run() {
        throw new Error('kaboom');
      },
    }),
  );
  commands.set(
    'oops',
    defineCommand({
      name: 'oops',
      description: 'user error',
      usage: 'oops',
      category: 'General',
      options: [],
      preconditions: [],
      async run() {
        throw new UserError('Oops', 'That was not right.');
      },
    }),
  );

  const training = await buildTrainingServices(config, state, log);
  const services = {
    config,
    state,
    surface,
    commands,
    model: new FakeModel(),
    startedAt: new Date(),
    datasets: training.datasets,
    feedback: training.feedback,
    evaluations: training.evaluations,
    fineTune: null,
    follower: null,
    voice: null,
    access: new AccessPolicy(config.bot),
    instructions: new InstructionLibrary(path.join(root, 'INSTRUCTION.md'), path.join(root, 'instructions')),
  };
  const router = new Router(services, { onMessage: async (m) => void heard.push(m) }, log);
  return { router, surface, heard, logs, state };
}

describe('Router', () => {
  let t: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    t = await setup();
  });

  test('non-commands go to the conversation listener', async () => {
    await t.router.handleMessage(incoming({ content: 'hello there' }));
    await t.router.handleMessage(incoming({ content: '! not a command' }));
    expect(t.heard.map((m) => m.content)).toEqual(['hello there', '! not a command']);
    expect(t.surface.sent).toHaveLength(0);
  });

  test('unknown command gets a short hint with a suggestion', async () => {
    await t.router.handleMessage(incoming({ content: '!hlep me' }));
    expect(t.surface.texts()).toEqual(['Unknown command `!hlep`. Did you mean `!help`? Try `!help`.']);
  });

  test('admin-only command denied to a normal user, allowed to the owner', async () => {
    await t.router.handleMessage(incoming({ content: '!temperature 1.2' }));
    expect(t.surface.texts()).toEqual(['Only Eos admins can use this command.']);
    expect(t.state.channel('c1').temperature).toBeUndefined();
    await t.router.handleMessage(
      incoming({ content: '!temperature 1.2', author: { id: 'owner', username: 'o', displayName: 'O', bot: false } }),
    );
    expect(t.state.channel('c1').temperature).toBe(1.2);
  });

  test('a UserError becomes its message; a crash becomes a generic reply; both are logged', async () => {
    await t.router.handleMessage(incoming({ content: '!oops' }));
    await t.router.handleMessage(incoming({ content: '!boom' }));
    expect(t.surface.texts()).toEqual(['That was not right.', 'Something went wrong running `!boom`. It has been logged.']);
    const entries = t.logs.map((l) => JSON.parse(l) as { msg: string; command?: string; outcome?: string; durationMs?: number });
    const done = entries.filter((e) => e.msg === 'command');
    expect(done.map((e) => [e.command, e.outcome])).toEqual([
      ['oops', 'user-error:Oops'],
      ['boom', 'error'],
    ]);
    expect(done.every((e) => typeof e.durationMs === 'number')).toBe(true);
  });

  test('the guild prefix from state replaces the default', async () => {
    await t.state.setGuild('g1', { prefix: '?' });
    await t.router.handleMessage(incoming({ content: '?hi' }));
    await t.router.handleMessage(incoming({ content: '!hi' }));
    expect(t.surface.sent).toHaveLength(1);
    expect(t.surface.texts()[0]).toMatch(/^Hi Alice!/);
    expect(t.heard.map((m) => m.content)).toEqual(['!hi']);
  });

  test('bad arguments get the usage', async () => {
    await t.router.handleMessage(
      incoming({ content: '!ping @everyone', author: { id: 'u2', username: 'b', displayName: 'B', bot: false } }),
    );
    expect(t.surface.texts()[0]).toMatch(/must be a user mention. Usage: `!ping \[@user\]`/);
  });

  test('slash invocations run the same definition', async () => {
    const replies: string[] = [];
    await t.router.handleSlash({
      name: 'hi',
      args: {},
      user: { id: 'u1', username: 'a', displayName: 'Ann', bot: false },
      roleIds: [],
      guildAdmin: false,
      guildId: 'g1',
      channelId: 'c1',
      isDM: false,
      authorVoiceChannelId: null,
      attachments: [],
      reply: async (m) => {
        replies.push(m.content ?? '');
        return { id: 'x', channelId: 'c1' };
      },
    });
    expect(replies).toEqual([expect.stringMatching(/^Hi Ann!/)]);
  });
});
