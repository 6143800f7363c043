import type { CommandDefinition } from './command.js';

/** Finds a command by name or alias, case-insensitively. */
export function resolveCommand(commands: ReadonlyMap<string, CommandDefinition>, name: string): CommandDefinition | undefined {
  const key = name.toLowerCase();
  const direct = commands.get(key);
  if (direct) return direct;
  for (const def of commands.values()) if (def.aliases?.includes(key)) return def;
  return undefined;
}

/** The closest command name within edit distance 2, for "did you mean". */
export function suggestCommand(commands: ReadonlyMap<string, CommandDefinition>, name: string): string | null {
  let best: { name: string; d: number } | null = null;
  for (const key of commands.keys()) {
    const d = distance(name.toLowerCase(), key);
    if (d <= 2 && (!best || d < best.d)) best = { name: key, d };
  }
  return best?.name ?? null;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
