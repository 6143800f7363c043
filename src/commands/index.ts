import type { CommandDefinition } from '../core/command.js';
import { help } from './help.js';
import { hi } from './hi.js';
import { instruction } from './instruction.js';
import { ping } from './ping.js';
import { prefix } from './prefix.js';
import { puppet } from './puppet.js';
import { reactionProbability } from './reaction_probability.js';
import { replyProbability } from './reply_probability.js';
import { replyprefix } from './replyprefix.js';
import { temperature } from './temperature.js';

/** Every command, explicitly listed (no filesystem scanning). */
export function createCommandIndex(): Map<string, CommandDefinition> {
  const all = [hi, help, instruction, ping, temperature, replyProbability, reactionProbability, prefix, replyprefix, puppet];
  return new Map(all.map((c) => [c.name, c]));
}
