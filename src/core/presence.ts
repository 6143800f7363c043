import type { ChatSurface } from '../chat/types.js';

/** Fills {name} placeholders; unknown ones are left as they are. */
export function fillTemplate(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (all, key: string) => (key in vars ? String(vars[key]) : all));
}

/** Cycles the bot's presence through the templates; returns a stop function. */
export function startPresenceRotation(
  surface: Pick<ChatSurface, 'setPresence'>,
  templates: readonly string[],
  intervalSec: number,
  vars: () => Record<string, string | number>,
): () => void {
  if (templates.length === 0) return () => undefined;
  let i = 0;
  const tick = () => {
    surface.setPresence(fillTemplate(templates[i % templates.length]!, vars()).slice(0, 128));
    i++;
  };
  tick();
  const timer = setInterval(tick, Math.max(intervalSec, 15) * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
