/**
 * `!getfile` paths that must be refused when typed to the bot: the shared variants of
 * tests/fixtures/traversal-variants.ts plus more Discord-typed ones. Variants that the router's argument trimming
 * turns into a legitimate path (a leading/trailing space or newline) are left out. `{ABS}` is replaced by the
 * absolute path of a real dataset file, `{DATA}` by the data folder.
 * The fixtures (leak.jsonl, rel-leak.jsonl, escape/, loop1/2, .env, sub/) are made by the test.
 */
import { PATH_TRAVERSAL_VARIANTS } from '../fixtures/traversal-variants.js';

export const TRAVERSAL: [string, string][] = [
  ...PATH_TRAVERSAL_VARIANTS,
  ['absolute data folder', '{DATA}/secret.txt'],
  ['NUL inside', 'datasets/default\u0000/../../secret.txt'],
  ['right-to-left override', 'datasets/default/\u202elnosj.evitisop'],
  ['zero-width space', 'datasets/\u200b../secret.txt'],
  ['shell variable', '$HOME/.ssh/id_rsa'],
  ['http URL', 'http://127.0.0.1/secret.txt'],
  ['query string', 'datasets/default/positive.jsonl?../../secret.txt'],
  ['sub-directory', 'datasets/default/sub'],
  ['quoted traversal', '"../secret.txt"'],
  ['directory symlink to the config', 'datasets/escape/eos.config.json'],
  ['state file', 'state/eos.json'],
  ['log folder', 'logs/eos.1.log'],
  ['conversations folder', 'conversations/x.jsonl'],
  ['config file', 'eos.config.json'],
  ['instructions traversal to the project', 'instructions/../package.json'],
  ['instructions traversal to the source', 'instructions/../src/app.ts'],
  ['archives traversal into datasets', 'archives/../datasets/default/positive.jsonl'],
  ['only dots', '..'],
  ['only a slash', '/'],
];
