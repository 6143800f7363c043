import { defineCommand } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { readAttachmentText } from '../chat/attachments.js';
import { formatSuiteResult, parseSuite, runSuite } from '../evaluation/index.js';

const SUITE_LIMIT = 1024 * 1024;
/** Each case is one LLM call: members may run small suites, admins up to the parser's limit. */
const MEMBER_CASES = 20;

export const test = defineCommand({
  name: 'test',
  description: 'Evaluate the current model on a JSON test suite (inline or attached).',
  usage: 'test <json> (or attach a .json file)',
  category: 'Training',
  options: [
    { name: 'json', description: 'A JSON array of cases', type: 'string', rest: true },
    { name: 'file', description: 'A .json file with the cases', type: 'attachment' },
  ],
  preconditions: [],
  async run(ctx) {
    const inline = ((ctx.args.json as string | undefined) ?? '').trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
    const file = ctx.attachments[0];
    if (!inline && !file) {
      throw new UserError('NoSuite', 'Give a JSON array of cases, e.g. `[{"input": "2+2?", "assert": [{"type": "contains", "value": "4"}]}]`, or attach a .json file.');
    }
    const text = inline || (await readAttachmentText(file!, { maxBytes: SUITE_LIMIT }));
    const parsed = parseSuite(text);
    if (!parsed.ok) throw new UserError('BadSuite', parsed.error.slice(0, 1900));
    if (!ctx.isAdmin && parsed.suite.length > MEMBER_CASES) {
      throw new UserError('SuiteTooLarge', `Suites of more than ${MEMBER_CASES} cases are for Eos admins (this one has ${parsed.suite.length}).`);
    }
    const { services } = ctx;
    const progress = await ctx.reply(`Running ${parsed.suite.length} test case(s)…`);
    const result = await runSuite(services.model, parsed.suite, {
      concurrency: services.config.bot.training.testConcurrency,
      systemPrompt: undefined,
    });
    const file_ = await services.evaluations.save(result);
    ctx.log.info({ passed: result.passed, total: result.total, file: file_ }, 'test suite done');
    await services.surface.edit(progress.channelId, progress.id, { content: `Ran ${result.total} test case(s).` }).catch(() => undefined);
    await ctx.reply(formatSuiteResult(result));
  },
});
