import { defineCommand } from '../core/command.js';
import { requirePrivacy } from '../privacy/consent.js';
import { UserError } from '../core/errors.js';

export const recording = defineCommand({
  name: 'recording',
  description: "Turn logging of this server's conversations on or off (consent).",
  usage: 'recording on|off|status',
  category: 'Admin',
  options: [{ name: 'mode', description: 'on, off or status', type: 'string', choices: ['on', 'off', 'status'] }],
  preconditions: ['GuildOnly', 'AdminOnly'],
  async run(ctx) {
    const privacy = requirePrivacy(ctx.services);
    const guildId = ctx.guildId!;
    const mode = String(ctx.args.mode ?? 'status').toLowerCase();
    if (mode === 'status') {
      return void (await ctx.reply(`Recording is **${privacy.recording(guildId) ? 'on' : 'off'}** in this server.`));
    }
    if (mode !== 'on' && mode !== 'off') throw new UserError('BadMode', `Use \`${ctx.prefix}recording on\`, \`off\` or \`status\`.`);
    await privacy.setRecording(guildId, mode === 'on');
    if (mode === 'off') return void (await ctx.reply('Recording is now **off**: conversations in this server are no longer logged.'));
    // The notice goes into this channel now, and into every other channel the first time Eos sees a message there.
    await privacy.postNotice(ctx.channelId, ctx.prefix);
    await ctx.reply('Recording is now **on**. Each channel gets a short notice the first time I see a message there.');
  },
});
