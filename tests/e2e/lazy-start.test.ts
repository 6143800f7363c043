/**
 * What starting Eos loads (issue 12: start to READY). The compiled bot runs as `npm start` runs it (node dist/main.js),
 * in a child with a module-load hook (tests/fixtures/load-log-hook.mjs), against the emulator and the fake LLM. At
 * READY and after text-only use (a reply, a command) none of the voice, speech, chart, archive or CSV libraries are
 * loaded, and the openai SDK only once a reply needed it; `!join` then loads the voice stack and works.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mention, PROJECT_ROOT } from './harness.js';
import { startDiscordEmulator, type DiscordEmulator } from '../emulator/index.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';

/** Libraries (node_modules/<name>/) and Eos folders (dist/<folder>/) that text-only use must not load. */
const VOICE_AND_FRIENDS = [
  '@discordjs/voice',
  'prism-media',
  '@discordjs/opus',
  'opusscript',
  '@snazzah/davey',
  'google-tts-api',
  'axios',
  '@napi-rs/whisper',
  '@echogarden/fvad-wasm',
  'archiver',
  'echarts',
  '@resvg/resvg-js',
  'csv-parse',
];
const EOS_LAZY_FOLDERS = [
  'voice/discord/link',
  'voice/session/',
  'voice/pipeline/',
  'voice/stt/',
  'voice/tts/',
  'voice/audio/',
  'charts/',
  'archive/',
];

let emu: DiscordEmulator;
let llm: FakeLlm;
let dataDir: string;
let child: ChildProcess;
let stderr = '';
const loadLog = () => path.join(dataDir, 'loaded-modules.txt');

async function loaded(): Promise<string[]> {
  return (await readFile(loadLog(), 'utf8')).split('\n').filter(Boolean);
}
function offenders(urls: string[], libs: string[]): string[] {
  return urls.filter(
    (u) =>
      libs.some((lib) => u.includes(`/node_modules/${lib}/`)) ||
      (libs === VOICE_AND_FRIENDS && EOS_LAZY_FOLDERS.some((f) => u.includes(`/dist/${f}`))),
  );
}

let atReady: string[] = [];
let world: { guildId: string; general: string; lounge: string; alice: string };

beforeAll(async () => {
  // The child runs the compiled build: compile src/ if it is newer than dist/ (as `npm start` would).
  execFileSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'build.mjs'), '--if-stale'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  emu = await startDiscordEmulator({ heartbeatIntervalMs: 1000 });
  llm = await startFakeLlm();
  llm.respondWith(() => ({ text: 'A plain text answer.' }));
  dataDir = await mkdtemp(path.join(tmpdir(), 'eos-lazy-start-'));
  const owner = emu.createUser({ username: 'owner', globalName: 'Olivia' });
  const alice = emu.createUser({ username: 'alice', globalName: 'Alice' });
  const guild = emu.createGuild({ name: 'Eos Lab', ownerId: owner.id });
  emu.addMember(guild.id, alice.id, {});
  const general = emu.createChannel({ guildId: guild.id, name: 'general' });
  const lounge = emu.createChannel({ guildId: guild.id, name: 'Lounge', type: 2 });
  world = { guildId: guild.id, general: general.id, lounge: lounge.id, alice: alice.id };
  await writeFile(
    path.join(dataDir, 'eos.config.json'),
    JSON.stringify({ conversation: { userRateLimit: { count: 0 } }, perServerData: false }),
  );
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(DISCORD_|OPENAI_|EOS_)/.test(k)));
  const env = {
    ...clean,
    DISCORD_TOKEN: emu.token,
    DISCORD_API_URL: emu.restBase,
    EOS_DATA_DIR: dataDir,
    EOS_OWNER_IDS: owner.id,
    OPENAI_API_KEY: llm.apiKey,
    OPENAI_BASE_URL: llm.baseURL,
    EOS_CHAT_MODEL: 'eos-test-model',
    EOS_TTS_PROVIDER: 'flite',
    EOS_STT_PROVIDER: 'openai',
    EOS_TEST_LOAD_LOG: path.join(dataDir, 'loaded-modules.txt'),
    NODE_EXTRA_CA_CERTS: emu.voice.caCertFile, // the emulator's voice server (wss) has a self-signed certificate
  };
  const hook = path.join(PROJECT_ROOT, 'tests', 'fixtures', 'load-log-hook.mjs');
  child = spawn(process.execPath, ['--import', hook, 'dist/main.js'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + String(d)).slice(-4000)));
  await emu
    .waitFor(() => emu.gatewayEvents.find((e) => e.dir === 'out' && e.t === 'READY'), { timeoutMs: 60_000, label: 'READY' })
    .catch((err: unknown) => {
      throw new Error(`${String(err)}\nbot stderr:\n${stderr}`);
    });
  atReady = await loaded();
}, 240_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  }
  await emu?.close();
  await llm?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const say = (content: string) => emu.userSays({ channelId: world.general, userId: world.alice, content });
const answerTo = (id: string, timeoutMs = 30_000) => emu.waitForBotMessage(world.general, (m) => m.replyTo === id, { timeoutMs });

describe('starting Eos loads only what READY needs', () => {
  test('at READY: no voice, speech, chart, archive or CSV library, and no openai SDK', () => {
    const urls = atReady;
    expect(urls.some((u) => u.includes('/node_modules/discord.js/'))).toBe(true); // the hook sees CommonJS packages
    expect(urls.some((u) => u.endsWith('/dist/main.js'))).toBe(true);
    expect(offenders(urls, VOICE_AND_FRIENDS)).toEqual([]);
    expect(offenders(urls, ['openai'])).toEqual([]);
  });

  test('text-only use (a reply, commands) still loads none of them; the reply loads the openai SDK', async () => {
    const q = say(mention(emu.botUser.id, 'hello there'));
    expect((await answerTo(q.id)).content).toContain('A plain text answer.');
    const help = say('!help');
    await answerTo(help.id);
    const leave = say('!leave');
    await answerTo(leave.id); // not in a voice channel: answered without loading the voice stack
    const urls = await loaded();
    expect(offenders(urls, VOICE_AND_FRIENDS)).toEqual([]);
    expect(offenders(urls, ['openai']).length).toBeGreaterThan(0);
  }, 90_000);

  test('!join afterwards loads the voice stack and joins', async () => {
    emu.voice.userJoinsVoice({ guildId: world.guildId, channelId: world.lounge, userId: world.alice });
    const msg = say('!join');
    const joined = (await answerTo(msg.id, 60_000)).content;
    expect(joined, `bot stderr:\n${stderr}`).toMatch(/^Joined <#\d+>\. I'm listening/);
    const conn = await emu.voice.waitForConnection(world.guildId);
    expect(conn.selfDeaf).toBe(false);
    const urls = await loaded();
    expect(urls.some((u) => u.includes('/node_modules/@discordjs/voice/'))).toBe(true);
    expect(urls.some((u) => u.includes('/dist/voice/discord/link.js'))).toBe(true);
    const left = say('!leave');
    expect((await answerTo(left.id)).content).toBe('Left the voice channel.');
  }, 120_000);
});
