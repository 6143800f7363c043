import type { CommandDefinition } from '../core/command.js';
import { help } from './help.js';
import { hi } from './hi.js';
import { instruction } from './instruction.js';
import { ping } from './ping.js';
import { shards } from './shards.js';
import { prefix } from './prefix.js';
import { puppet } from './puppet.js';
import { reactionProbability } from './reaction_probability.js';
import { replyProbability } from './reply_probability.js';
import { replyprefix } from './replyprefix.js';
import { temperature } from './temperature.js';
import { archive } from './archive.js';
import { correct } from './correct.js';
import { datasets } from './datasets.js';
import { feedback } from './feedback.js';
import { getfile } from './getfile.js';
import { selectDataset } from './select_dataset.js';
import { test } from './test.js';
import { train } from './train.js';
import { join } from './join.js';
import { leave } from './leave.js';
import { say } from './say.js';
import { voice } from './voice.js';
import { optout } from './optout.js';
import { optin } from './optin.js';
import { privacy } from './privacy.js';
import { forget } from './forget.js';
import { audit } from './audit.js';
import { recording } from './recording.js';
import { review } from './review.js';

/** Every command, explicitly listed (no filesystem scanning). */
export function createCommandIndex(): Map<string, CommandDefinition> {
  const all = [
    hi,
    help,
    instruction,
    ping,
    shards,
    train,
    correct,
    feedback,
    test,
    datasets,
    selectDataset,
    archive,
    getfile,
    join,
    leave,
    say,
    voice,
    temperature,
    replyProbability,
    reactionProbability,
    prefix,
    replyprefix,
    puppet,
    privacy,
    optout,
    optin,
    forget,
    recording,
    audit,
    review,
  ];
  return new Map(all.map((c) => [c.name, c]));
}
