import type { CommandOption, ParsedArgs, ArgValue } from './command.js';
import { UserError } from './errors.js';

/** Splits on whitespace, keeping "double quoted" or 'single quoted' words together. */
export function tokenize(text: string): { tokens: string[]; offsets: number[] } {
  const tokens: string[] = [];
  const offsets: number[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    tokens.push(m[1] ?? m[2] ?? m[3] ?? '');
    offsets.push(m.index);
  }
  return { tokens, offsets };
}

const SNOWFLAKE = /^\d{15,21}$/;

export function coerce(opt: CommandOption, raw: string, usage: string): ArgValue {
  const bad = (what: string) => new UserError('InvalidArgument', `\`${opt.name}\` ${what}. Usage: \`${usage}\``);
  switch (opt.type) {
    case 'integer':
    case 'number': {
      const n = Number(raw);
      if (!Number.isFinite(n) || (opt.type === 'integer' && !Number.isInteger(n))) throw bad(`must be a ${opt.type}`);
      if (opt.min !== undefined && n < opt.min) throw bad(`must be at least ${opt.min}`);
      if (opt.max !== undefined && n > opt.max) throw bad(`must be at most ${opt.max}`);
      return n;
    }
    case 'boolean': {
      const v = raw.toLowerCase();
      if (['on', 'true', 'yes', '1'].includes(v)) return true;
      if (['off', 'false', 'no', '0'].includes(v)) return false;
      throw bad('must be on or off');
    }
    case 'user': {
      const id = /^<@!?(\d+)>$/.exec(raw)?.[1] ?? raw;
      if (!SNOWFLAKE.test(id)) throw bad('must be a user mention');
      return id;
    }
    case 'channel': {
      const id = /^<#(\d+)>$/.exec(raw)?.[1] ?? raw;
      if (!SNOWFLAKE.test(id)) throw bad('must be a channel mention');
      return id;
    }
    case 'attachment':
      throw bad('must be attached to the message');
    case 'string':
      if (opt.choices && !opt.choices.includes(raw.toLowerCase())) throw bad(`must be one of ${opt.choices.join(', ')}`);
      return opt.choices ? raw.toLowerCase() : raw;
  }
}

/** Parses the prefix form's argument text against a command's options. */
export function parsePrefixArgs(options: readonly CommandOption[], text: string, usage: string): ParsedArgs {
  const { tokens, offsets } = tokenize(text);
  const args: ParsedArgs = {};
  let i = 0;
  for (const opt of options) {
    if (opt.type === 'attachment') continue;
    if (opt.rest) {
      const start = offsets[i];
      const rest = start === undefined ? '' : text.slice(start).trim();
      if (rest) args[opt.name] = coerce(opt, rest, usage);
      i = tokens.length;
    } else if (i < tokens.length) {
      args[opt.name] = coerce(opt, tokens[i]!, usage);
      i++;
    }
    if (opt.required && args[opt.name] === undefined) {
      throw new UserError('MissingArgument', `Missing \`${opt.name}\`. Usage: \`${usage}\``);
    }
  }
  return args;
}
