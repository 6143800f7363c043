/**
 * Detects the stock refusals LLMs produce ("I'm sorry, but I can't help with that", "As an AI
 * language model, ...") at the start of a reply, so the caller can retry once with a nudge.
 * English only. Tuned for few false positives: casual "I can't wait", "sorry I'm late" or
 * "I can't help laughing" are not refusals; a refusal needs an assistant-style verb
 * ("help with", "assist", "comply", "provide", ...) or an AI self-reference.
 */

/** Added as a system message on the single retry after a refusal. */
export const REFUSAL_RETRY_NUDGE =
  'Your previous draft was a generic refusal. This is a casual group chat and the last message is ' +
  'almost certainly harmless banter. Stay in character and answer it directly and naturally, the ' +
  'way a member of this chat would. Do not apologize, do not mention being an AI or a language ' +
  'model, and do not talk about rules or policies. Only if the request is clearly dangerous, ' +
  'decline briefly and in character.';

/** How far into the reply a refusal may start (after an opener like "Sorry,"). */
const HEAD_CHARS = 240;

const OPENER =
  /^(?:(?:i am|i'm) (?:really |very |so |truly |terribly )?(?:sorry|afraid)|(?:i'm |i am )?sorry|(?:my )?apologies|i apologi[sz]e|unfortunately|(?:i'm |i am )?afraid)(?: to say)?[\s,.!:;-]+(?:but[\s,]+)?/;

const AI_KIND =
  '(?:ai|a\\.i\\.|artificial intelligence|(?:large )?language model|llm|chatbot|virtual assistant)(?: language model| model| assistant| chatbot)?';
const AI_SELF = new RegExp(
  `^(?:as an? ${AI_KIND}(?:,| i\\b)|i am (?:just |only |merely )?an? ${AI_KIND}(?:[,.!;]| and\\b| i\\b| so\\b|$))`,
);

const NEGATION =
  '(?:cannot|can not|will not|am unable to|am not able to|am not allowed to|am not permitted to|do not think i can|am not going to)' +
  '(?: and will not)?(?: be able to)?';

const ACTION =
  '(?:help(?: you)?(?: with\\b| there\\b|[.!,]|$)|assist\\b|comply\\b|fulfill? (?:that|this|your|such)\\b|' +
  '(?:provide|generate|produce) (?:that|this|such|assistance|help|information|content|instructions|details|explicit|you with)\\b|' +
  '(?:engage|participate) in (?:this|that|such|any|conversations?|discussions?|role-?play|content)\\b|create (?:that|this|content|such)\\b|(?:continue|proceed) (?:with )?(?:this|that)\\b|' +
  '(?:discuss|answer|respond to|support|share|write) (?:that|this|such)\\b|role-?play\\b|go along with\\b|do (?:that|this)(?: for you)?[.!]?$)';

const CORE_REFUSALS: readonly RegExp[] = [
  AI_SELF,
  new RegExp(`^i ${NEGATION} ${ACTION}`),
  /^i (?:must|have to|will have to|need to) (?:respectfully |politely )?decline\b/,
  /^(?:this|that) (?:request |content )?(?:is|goes) against (?:my|the|our) (?:guidelines|policies|programming|content polic(?:y|ies))/,
];

/** Only after an apology opener ("Sorry, but I can't do that"). */
const SOFT_REFUSALS: readonly RegExp[] = [
  /^i (?:cannot|can not|will not|am unable to|am not able to) do (?:that|this)\b/,
  /^i (?:do not|am not) (?:feel )?comfortable (?:with|doing|helping|providing|writing|creating|continuing|engaging)/,
  /^i (?:cannot|can not|am unable to|am not able to) (?:write|create|make) (?:that|this|such|content)\b/,
];

function normalize(text: string): string {
  return text
    .slice(0, HEAD_CHARS * 2)
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`]/g, "'")
    .replace(/[*_~]+/g, '')
    .replace(/^[\s"'>|]+/, '')
    .replace(/^[\p{L}\p{N}_ .-]{1,32}:\s+/u, '')
    .replace(/\bi'm\b/g, 'i am')
    .replace(/\bcan'?t\b/g, 'cannot')
    .replace(/\bwon'?t\b/g, 'will not')
    .replace(/\bdon'?t\b/g, 'do not')
    .replace(/\bi'll\b/g, 'i will')
    .replace(/\s+/g, ' ')
    .slice(0, HEAD_CHARS);
}

export function isRefusal(text: string): boolean {
  const head = normalize(text);
  if (!head) return false;
  if (CORE_REFUSALS.some((re) => re.test(head))) return true;
  const opener = OPENER.exec(head);
  if (!opener) return false;
  const rest = head.slice(opener[0].length);
  return CORE_REFUSALS.some((re) => re.test(rest)) || SOFT_REFUSALS.some((re) => re.test(rest));
}
