import { defineCommand } from '../core/command.js';
import type { VoiceStatus } from '../voice/discord/manager.js';

const KINDS: Record<string, string> = {
  'protocol-error': 'voice protocol error caught',
  resubscribe: 'receive stream re-subscribed',
  'dave-reinit': 'DAVE re-initialised',
  'library-reinit': 'DAVE re-initialised by the library',
  rejoin: 'left and rejoined',
};

/** `!voice`: the voice session's state, DAVE (E2EE) version, epoch, privacy code, members, recent recoveries. */
export function formatVoiceStatus(s: VoiceStatus, now = Date.now()): string {
  const dave = s.link?.dave;
  const lines = [
    `**Voice** in <#${s.voiceChannelId}> (transcripts in <#${s.textChannelId}>): ${s.state}, connection ${s.link?.connection ?? 'unknown'}`,
  ];
  if (!dave || dave.protocolVersion === 0) lines.push('End-to-end encryption (DAVE): off');
  else {
    lines.push(`End-to-end encryption (DAVE): protocol v${dave.protocolVersion}, epoch ${dave.epoch ?? 'none yet (alone or joining)'}`);
    if (dave.privacyCode)
      lines.push(
        `Privacy code: \`${dave.privacyCode.match(/.{1,5}/g)?.join(' ') ?? dave.privacyCode}\` (compare it with the one in your Discord client)`,
      );
    lines.push(`Members: ${s.memberNames.length > 0 ? s.memberNames.join(', ') : 'none yet'}`);
  }
  const recent = (s.link?.recoveries ?? []).slice(-5);
  if (recent.length === 0) lines.push('Recent recoveries: none');
  else {
    lines.push('Recent recoveries:');
    for (const r of recent)
      lines.push(`• ${Math.round((now - r.at) / 1000)} s ago: ${KINDS[r.kind] ?? r.kind} (${r.detail.slice(0, 120)})`);
  }
  return lines.join('\n');
}

export const voice = defineCommand({
  name: 'voice',
  description: 'Voice session status: state, end-to-end encryption (DAVE) epoch and privacy code, members, recent recoveries.',
  usage: 'voice',
  category: 'Voice',
  options: [],
  preconditions: ['GuildOnly'],
  async run(ctx) {
    const status = await ctx.services.voice?.status(ctx.guildId!);
    await ctx.reply(status ? formatVoiceStatus(status) : `I'm not in a voice channel here. \`${ctx.prefix}join\` to start.`);
  },
});
