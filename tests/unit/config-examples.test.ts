import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { ENV_KEYS, loadConfig } from '../../src/config.js';
import { loadBehaviour } from '../../src/config.js';
import { behaviourSchema } from '../../src/config-schema.js';

const root = join(import.meta.dirname, '..', '..');

function keysOf(obj: unknown, prefix = ''): string[] {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

describe('example files', () => {
  test('.env.example documents every env key and loads cleanly', () => {
    const text = readFileSync(join(root, '.env.example'), 'utf8');
    const parsed = parseEnv(text);
    for (const key of ENV_KEYS) {
      expect(Object.keys(parsed)).toContain(key);
      const before = text.split('\n').findIndex((l) => l.startsWith(`${key}=`));
      expect(text.split('\n')[before - 1]?.startsWith('#')).toBe(true);
    }
    const c = loadConfig({ env: {}, cwd: root, envFile: join(root, '.env.example') });
    expect(c.discord.token).toBeNull();
  });

  test('eos.config.example.json has every behaviour key and validates', () => {
    const file = join(root, 'eos.config.example.json');
    const example = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    const defaults = behaviourSchema.parse({});
    expect(keysOf(example).sort()).toEqual(keysOf(defaults).sort());
    expect(loadBehaviour(file, root)).toEqual(defaults);
  });
});
