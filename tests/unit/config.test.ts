import { describe, expect, test, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../src/config.js';

let dir: string;
beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'eos-config-')));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const load = (env: Record<string, string> = {}, extra: { envFile?: string | false } = {}) => loadConfig({ env, cwd: dir, ...extra });

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig env', () => {
  test('empty env: console mode, no LLM, defaults, paths under cwd', () => {
    const c = load();
    expect(c.discord).toEqual({ token: null, apiUrl: 'https://discord.com/api' });
    expect(c.llm).toBeNull();
    expect(c.dataDir).toBe(dir);
    expect(c.projectRoot).toBe(dir);
    expect(c.paths.state).toBe(join(dir, 'state', 'eos.json'));
    expect(c.paths.instructions).toBe(join(dir, 'instructions'));
    expect(c.paths.logs).toBe(join(dir, 'logs'));
    expect(c.logLevel).toBe('info');
    expect(c.voice).toEqual({
      sttProvider: 'openai',
      ttsProvider: 'google',
      sttModel: 'gpt-transcribe',
      ttsVoice: null,
      stt: null,
      whisperModelPath: null,
    });
    expect(c.configFile).toBeNull();
    expect(c.bot.name).toBe('Eos');
    expect(c.bot.conversation.temperature).toBe(0.7);
    expect(c.secrets()).toEqual([]);
  });

  test('API key alone selects OpenAI; base URL alone gives keyless endpoint', () => {
    const a = load({ OPENAI_API_KEY: 'sk-abc', EOS_CHAT_MODEL: 'm1', EOS_LLM_TIMEOUT_MS: '5000' });
    expect(a.llm).toEqual({ apiKey: 'sk-abc', baseURL: 'https://api.openai.com/v1', model: 'm1', timeoutMs: 5000 });
    const b = load({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1/' });
    expect(b.llm).toEqual({ apiKey: null, baseURL: 'http://127.0.0.1:11434/v1', model: 'gpt-5.4-mini', timeoutMs: 60000 });
  });

  test('secrets() lists token and api key', () => {
    const c = load({ DISCORD_TOKEN: 'tok.en', OPENAI_API_KEY: 'sk-1' });
    expect(c.secrets().sort()).toEqual(['sk-1', 'tok.en']);
    expect(c.discord.token).toBe('tok.en');
  });

  test('invalid values name the env key', () => {
    expect(errorOf(() => load({ OPENAI_BASE_URL: 'not a url' })).message).toMatch(/^Invalid env OPENAI_BASE_URL: must be a URL/);
    expect(errorOf(() => load({ EOS_LOG_LEVEL: 'loud' })).message).toContain('EOS_LOG_LEVEL');
    expect(errorOf(() => load({ EOS_TTS_PROVIDER: 'sam' })).key).toBe('EOS_TTS_PROVIDER');
    expect(errorOf(() => load({ EOS_LLM_TIMEOUT_MS: '12abc' })).key).toBe('EOS_LLM_TIMEOUT_MS');
    expect(errorOf(() => load({ DISCORD_API_URL: 'ftp://x' })).key).toBe('DISCORD_API_URL');
  });

  test('empty strings count as unset; owner IDs merge with config owners', () => {
    writeFileSync(join(dir, 'eos.config.json'), JSON.stringify({ owners: ['1', '2'] }));
    const c = load({ DISCORD_TOKEN: '', EOS_OWNER_IDS: ' 2, 3 ,,4' });
    expect(c.discord.token).toBeNull();
    expect(c.bot.owners).toEqual(['1', '2', '3', '4']);
  });

  test('.env file is read, real env wins, env object is not mutated', () => {
    writeFileSync(join(dir, '.env'), 'EOS_CHAT_MODEL=from-file\nOPENAI_API_KEY="sk-file" # comment\nEOS_LOG_LEVEL=debug\n');
    const env = { EOS_LOG_LEVEL: 'warn' };
    const c = load(env);
    expect(c.llm?.model).toBe('from-file');
    expect(c.llm?.apiKey).toBe('sk-file');
    expect(c.logLevel).toBe('warn');
    expect(env).toEqual({ EOS_LOG_LEVEL: 'warn' });
    expect(load({}, { envFile: false }).llm).toBeNull();
  });

  test('explicit missing env file is an error', () => {
    expect(errorOf(() => load({}, { envFile: 'nope.env' })).message).toContain('nope.env');
  });

  test('EOS_DATA_DIR resolves relative to cwd and moves data paths', () => {
    const c = load({ EOS_DATA_DIR: 'data' });
    expect(c.dataDir).toBe(join(dir, 'data'));
    expect(c.paths.datasets).toBe(join(dir, 'data', 'datasets'));
    expect(c.paths.state).toBe(join(dir, 'data', 'state', 'eos.json'));
    expect(c.paths.instructions).toBe(join(dir, 'instructions'));
  });
});

describe('loadConfig behaviour file', () => {
  test('file in dataDir wins over cwd; EOS_CONFIG wins over both', () => {
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'eos.config.json'), JSON.stringify({ name: 'Cwd' }));
    writeFileSync(join(dir, 'data', 'eos.config.json'), JSON.stringify({ name: 'Data' }));
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ name: 'Other', conversation: { temperature: 1.5 } }));
    expect(load().bot.name).toBe('Cwd');
    expect(load({ EOS_DATA_DIR: 'data' }).bot.name).toBe('Data');
    const c = load({ EOS_DATA_DIR: 'data', EOS_CONFIG: 'other.json' });
    expect(c.bot.name).toBe('Other');
    expect(c.configFile).toBe(join(dir, 'other.json'));
    expect(c.bot.conversation.temperature).toBe(1.5);
    expect(c.bot.conversation.historyMax).toBe(50);
    expect(c.bot.presence.intervalSec).toBe(60);
  });

  test('EOS_CONFIG pointing at a missing file is an error', () => {
    expect(errorOf(() => load({ EOS_CONFIG: 'missing.json' })).key).toBe('EOS_CONFIG');
  });

  test('out-of-range value names the key, the value and the file', () => {
    writeFileSync(join(dir, 'eos.config.json'), JSON.stringify({ conversation: { temperature: 5 } }));
    const err = errorOf(() => load());
    expect(err.message).toBe('Invalid config: conversation.temperature must be <= 2 (got 5) [eos.config.json]');
    expect(err.key).toBe('conversation.temperature');
  });

  test('unknown keys are errors naming them', () => {
    writeFileSync(join(dir, 'eos.config.json'), JSON.stringify({ colour: 'red', slash: { guilds: [] } }));
    const err = errorOf(() => load());
    expect(err.message).toContain('colour is not a known key');
    expect(err.message).toContain('slash.guilds is not a known key');
  });

  test('wrong types and bad JSON are reported', () => {
    writeFileSync(join(dir, 'eos.config.json'), JSON.stringify({ allow: { users: [1] }, prefix: '' }));
    const err = errorOf(() => load());
    expect(err.message).toContain('allow.users[0] must be a string (got 1)');
    expect(err.message).toContain('prefix must have at least 1 character');
    writeFileSync(join(dir, 'eos.config.json'), '{ "name": ');
    expect(errorOf(() => load()).message).toMatch(/^Invalid config: cannot read JSON .*\[eos\.config\.json\]$/);
  });
});

describe('voice endpoints', () => {
  test('transcription uses the LLM endpoint unless EOS_STT_BASE_URL is set; its key is a secret', () => {
    const base = { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', OPENAI_API_KEY: 'sk-llm' };
    const a = loadConfig({ env: base, cwd: tmpdir(), envFile: false });
    expect(a.voice.stt).toEqual({ baseURL: 'http://127.0.0.1:1/v1', apiKey: 'sk-llm' });
    const b = loadConfig({
      env: { ...base, EOS_STT_BASE_URL: 'http://127.0.0.1:2/v1', EOS_STT_API_KEY: 'gsk-stt', EOS_WHISPER_MODEL: 'models/base.bin' },
      cwd: '/srv/eos',
      envFile: false,
    });
    expect(b.voice.stt).toEqual({ baseURL: 'http://127.0.0.1:2/v1', apiKey: 'gsk-stt' });
    expect(b.voice.whisperModelPath).toBe('/srv/eos/models/base.bin');
    expect(b.secrets()).toContain('gsk-stt');
    expect(() => loadConfig({ env: { EOS_STT_BASE_URL: 'ftp://x' }, cwd: tmpdir(), envFile: false })).toThrow(/EOS_STT_BASE_URL/);
  });
});
