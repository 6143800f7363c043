import type { CommandContext, CommandDefinition } from './command.js';

const PRIVILEGED = new Set(['AdminOnly', 'OwnerOnly']);
/** `!train` sub-actions that spend the operator's money or change the model for everyone. */
export const FINE_TUNE_WORDS = /^(start|cancel|use)\b/i;

/** Admin and owner commands: their slash replies are ephemeral and they are registered for Manage Server only. */
export function isPrivileged(def: CommandDefinition): boolean {
  return def.preconditions.some((p) => PRIVILEGED.has(p));
}

export function isPrivate(def: CommandDefinition): boolean {
  return def.private ?? isPrivileged(def);
}

/** What the audit log says about a successful run, or null when the run is not audited. */
export function auditAction(def: CommandDefinition, ctx: CommandContext): string | null {
  const text = typeof ctx.args.text === 'string' ? ctx.args.text.trim() : '';
  const fineTune = def.name === 'train' && FINE_TUNE_WORDS.test(text);
  if (!(def.audit ?? isPrivileged(def)) && !fineTune) return null;
  const args = Object.entries(ctx.args)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${oneLine(String(v))}`)
    .join(' ');
  return `${def.name}${args ? ` ${args}` : ''}`.slice(0, 300);
}

function oneLine(v: string): string {
  const flat = v.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}
