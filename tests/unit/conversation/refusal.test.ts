import { describe, expect, test } from 'vitest';
import { isRefusal, REFUSAL_RETRY_NUDGE } from '../../../src/conversation/refusal.js';

const REFUSALS = [
  "I'm sorry, but I can't help with that.",
  'I’m sorry, but I can’t assist with that request.',
  'I cannot assist with that.',
  "I can't help with that.",
  'As an AI language model, I do not have personal opinions.',
  'As an AI, I cannot feel emotions.',
  "I'm sorry, but as an AI language model I cannot do that.",
  "I'm just an AI, so I can't really go out for pizza.",
  "I'm afraid I can't do that.",
  'Sorry, but I cannot comply with this request.',
  'I apologize, but I cannot create that content.',
  'My apologies, but I am unable to help.',
  'Unfortunately, I cannot provide that information.',
  "I won't be able to help you with that.",
  "I'm not able to fulfill this request.",
  'I cannot and will not provide instructions for that.',
  'I must respectfully decline.',
  "I'm really sorry, but I can't continue with this conversation.",
  "I'm sorry, but I don't feel comfortable writing that.",
  'This request goes against my guidelines.',
  '  "I\'m sorry, but I can\'t help with that."',
  'Eos: I cannot help with that.',
  "**I'm sorry**, but I can't engage in that kind of roleplay.",
];

const NOT_REFUSALS = [
  "I can't wait to see it!",
  "I'm sorry to hear that 😢",
  'Sorry, I was late, the bus broke down.',
  'I cannot believe this happened lol',
  'As an aside, the movie was great.',
  "I won't lie, that's pretty cool.",
  "I'm sorry for your loss.",
  'Unfortunately the store was closed.',
  "I can't help but smile at that.",
  "I can't help laughing at this meme",
  "Sorry but I can't stop laughing 😂",
  "I'm an AI researcher, actually.",
  'As an AI enthusiast, I love this stuff.',
  'I will not go to the party tomorrow.',
  "I'm not able to come tomorrow, sorry!",
  "Sure! Here's the recipe. Note: I can't help with baking times though.",
  "Haha no, I can't do that dance",
  "Sorry, I can't make it tonight.",
  '',
  '   ',
  'I cannot provide proof, I was just there.',
];

describe('isRefusal', () => {
  test.each(REFUSALS)('detects refusal: %s', (text) => {
    expect(isRefusal(text)).toBe(true);
  });

  test.each(NOT_REFUSALS)('not a refusal: %s', (text) => {
    expect(isRefusal(text)).toBe(false);
  });

  test('only the start of the reply counts', () => {
    const long = 'Here is a long and helpful answer about gardening. '.repeat(10);
    expect(isRefusal(`${long} I'm sorry, but I can't help with that.`)).toBe(false);
    expect(isRefusal(`I'm sorry, but I can't help with that. ${long}`)).toBe(true);
  });
});

describe('REFUSAL_RETRY_NUDGE', () => {
  test('is a non-trivial instruction that keeps a safety valve', () => {
    expect(REFUSAL_RETRY_NUDGE.length).toBeGreaterThan(100);
    expect(REFUSAL_RETRY_NUDGE).toMatch(/in character/i);
    expect(REFUSAL_RETRY_NUDGE).toMatch(/dangerous/i);
  });
});
