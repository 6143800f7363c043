/** Cleans text before it reaches a speech engine. */

/** Default cap on the characters one synthesize() call speaks. */
export const DEFAULT_MAX_CHARS = 1000;

/**
 * Removes control characters and markup noise, collapses whitespace, and caps the length at a word
 * boundary (adding nothing). Engines get the text as an argument array or on stdin, never via a shell.
 */
export function sanitizeSpeechText(text: string, maxChars = DEFAULT_MAX_CHARS): string {
  const clean = text
    .normalize('NFC')
    .replace(/```[\s\S]*?```/g, ' ')
    .replace(/<a?:(\w+):\d+>/g, '$1')
    .replace(/<[@#&!]*\d+>/g, ' ')
    .replace(/https?:\/\/\S+/g, ' link ')
    .replace(/[*_~`|>#]+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean.length <= maxChars) return clean;
  const cut = clean.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return (space > maxChars * 0.6 ? cut.slice(0, space) : cut).trim();
}

/** Breaks words longer than `max` characters so text splitters that cut at spaces can work. */
export function breakLongWords(text: string, max: number): string {
  return text.replace(new RegExp(`\\S{${max + 1},}`, 'gu'), (word) => word.match(new RegExp(`.{1,${max}}`, 'gsu'))?.join(' ') ?? word);
}
