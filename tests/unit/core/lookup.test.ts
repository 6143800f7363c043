import { expect, test } from 'vitest';
import { createCommandIndex } from '../../../src/commands/index.js';
import { resolveCommand, suggestCommand } from '../../../src/core/lookup.js';
import { fillTemplate } from '../../../src/core/presence.js';
import { toSlashJson } from '../../../src/discord/slash.js';

test('commands resolve case-insensitively and typos get a suggestion', () => {
  const index = createCommandIndex();
  expect(resolveCommand(index, 'HELP')?.name).toBe('help');
  expect(resolveCommand(index, 'nope')).toBeUndefined();
  expect(suggestCommand(index, 'hlep')).toBe('help');
  expect(suggestCommand(index, 'completelydifferent')).toBeNull();
});

test('every command has a valid slash form with required options first', () => {
  for (const def of createCommandIndex().values()) {
    const json = toSlashJson(def);
    expect(json.name).toMatch(/^[-_a-z0-9]{1,32}$/);
    expect(json.description.length).toBeGreaterThan(0);
    expect(json.description.length).toBeLessThanOrEqual(100);
    const req = (json.options ?? []).map((o) => ('required' in o ? Boolean(o.required) : false));
    expect(req).toEqual([...req].sort((a, b) => Number(b) - Number(a)));
  }
});

test('presence templates fill known placeholders only', () => {
  expect(fillTemplate('Watching {channels} channels, {x}', { channels: 3 })).toBe('Watching 3 channels, {x}');
});

test('!help splits a category over several embed fields rather than cutting it at 1024 characters', async () => {
  const { helpEmbed } = await import('../../../src/commands/help.js');
  const many = Array.from({ length: 40 }, (_, i) => ({
    ...createCommandIndex().get('hi')!,
    name: `cmd${i}`,
    usage: `cmd${i} ${'x'.repeat(40)}`,
  }));
  const embed = helpEmbed(many, '!', 'Eos');
  expect(embed.fields!.length).toBeGreaterThan(1);
  for (const f of embed.fields!) expect(f.value.length).toBeLessThanOrEqual(1024);
  const text = embed.fields!.map((f) => f.value).join('\n');
  for (const c of many) expect(text).toContain(`!${c.usage}`);
});
