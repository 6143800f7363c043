import { defineCommand } from '../core/command.js';

export const privacy = defineCommand({
  name: 'privacy',
  description: 'What Eos stores, where, and how to leave.',
  usage: 'privacy',
  category: 'General',
  options: [],
  preconditions: [],
  async run(ctx) {
    const p = ctx.prefix;
    const on = ctx.services.privacy?.recording(ctx.guildId) ?? false;
    const out = ctx.services.privacy?.optedOut(ctx.user.id) ?? false;
    const lines = [
      `**Recording here:** ${on ? 'on' : 'off'}. ${ctx.guildId ? `Server admins switch it with \`${p}recording on|off\`.` : ''}`,
      `**You:** ${out ? `opted out (\`${p}optin\` to undo)` : `not opted out (\`${p}optout\` to stop)`}.`,
      "**What is kept, on the bot operator's machine:**",
      '• While recording is on: a log of the conversation in each channel (display names and text, never user IDs).',
      '• Recent replies of mine, so they can be rated (👍/👎) or corrected; they enter the training data only when someone rates or corrects them.',
      `• What you give on purpose: \`${p}train\` examples, corrections, ratings and \`${p}feedback\`, in the training datasets.`,
      '• A private index of keyed hashes (no text, no IDs) so that your contributions can be found again, and an audit log of admin actions.',
      `**How to leave:** \`${p}optout\` (nothing you write is read or kept from now on), \`${p}forget me\` (removes what you contributed in this server from datasets, logs, candidates and feedback).`,
      `**\`${p}forget me\` covers:** your messages, what you said in voice channels and voice messages (their transcripts and the records holding them), examples you imported from files with \`${p}train\`, corrections, ratings and feedback — in this server (DMs: in DMs).`,
      '**It cannot reach:** models already fine-tuned on the data (they change only when retrained), copies people downloaded (`getfile`, `archive`) or backups, what others wrote quoting you, and what was stored before Eos kept this index.',
      '**Application logs** hold events (commands, channel and message IDs, outcomes), not message text; an error about a rejected input may quote up to ~30 characters of it; e-mails, phone numbers and keys are scrubbed from every log line.',
    ];
    await ctx.reply(lines.join('\n'));
  },
});
