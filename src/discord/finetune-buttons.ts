/** The Start / Cancel buttons under a fine-tuning report (customIds eos:ft:go:<token> / eos:ft:no:<token>). */
import { Events, MessageFlags, type ButtonInteraction, type Client } from 'discord.js';
import type { Logger } from 'pino';
import type { ChatSurface } from '../chat/types.js';
import { isUserError } from '../core/errors.js';
import type { FineTuneFollower } from '../training/finetune-follower.js';
import { onConfirmButton } from '../training/finetune-actions.js';
import { CONFIRM_PREFIX, DECLINE_PREFIX } from '../training/finetune-confirm.js';

const ASK = /\n[^\n]*press \*\*Start\*\*[^\n]*$/;

export function attachFineTuneButtons(client: Client, follower: FineTuneFollower, surface: ChatSurface, log: Logger): void {
  client.on(Events.InteractionCreate, (i) => {
    if (!i.isButton() || !(i.customId.startsWith(CONFIRM_PREFIX) || i.customId.startsWith(DECLINE_PREFIX))) return;
    onClick(i, follower, surface).catch((err: unknown) => log.error({ err }, 'fine-tune button failed'));
  });
}

async function onClick(i: ButtonInteraction, follower: FineTuneFollower, surface: ChatSurface): Promise<void> {
  const report = i.message.content.replace(ASK, '');
  const owner = follower.pending.owner(i.customId.replace(CONFIRM_PREFIX, '').replace(DECLINE_PREFIX, ''));
  if (owner !== undefined && owner !== i.user.id) {
    await i.reply({ content: 'Only the admin who asked for this job can start or cancel it.', flags: MessageFlags.Ephemeral });
    return;
  }
  await i.deferUpdate(); // uploads can take longer than the 3 s Discord gives to answer
  let content: string;
  try {
    content = await onConfirmButton(follower, surface, { customId: i.customId, userId: i.user.id }, report);
  } catch (err) {
    content = `${report}\n*${isUserError(err) ? err.message : 'The job could not be started; see the logs.'}*`;
    if (!isUserError(err)) throw err;
  } finally {
    await i.message.edit({ content: content!, components: [] }).catch(() => undefined);
  }
}
