import { defineCommand, type CommandContext } from '../core/command.js';
import { UserError } from '../core/errors.js';
import { readAttachmentText } from '../chat/attachments.js';
import {
  evalHistoryChart,
  evaluate,
  formatCaseTable,
  formatComparison,
  formatSuiteResult,
  parseSuite,
  parseTestRequest,
  validateSuite,
  type EvalDeps,
  type TestCase,
} from '../evaluation/index.js';

const SUITE_LIMIT = 1024 * 1024;
/** Each case is one LLM call (two when comparing): members may run small suites, admins up to the parser's limit. */
const MEMBER_CALLS = 20;
const HISTORY_RUNS = 60;

export const test = defineCommand({
  name: 'test',
  description: 'Evaluate the model on a JSON test suite, compare two models, or chart the history.',
  usage: 'test [--raw] [--compare <old> <new>] <json | last> (or attach a .json file) · test history',
  category: 'Training',
  options: [
    { name: 'json', description: 'A JSON array of cases, "last", or "history"', type: 'string', rest: true },
    { name: 'file', description: 'A .json file with the cases', type: 'attachment' },
    { name: 'compare', description: 'Two model names: "<old> <new>"', type: 'string' },
    { name: 'raw', description: 'Send cases to the bare model (no system prompt or few-shot)', type: 'boolean' },
  ],
  preconditions: [],
  async run(ctx) {
    const slashFlags = [ctx.args.raw === true ? '--raw' : '', typeof ctx.args.compare === 'string' ? `--compare ${ctx.args.compare}` : ''];
    const req = parseTestRequest(`${slashFlags.join(' ')} ${(ctx.args.json as string | undefined) ?? ''}`);
    if (req.kind === 'error') throw new UserError('BadTestArgs', req.message);
    if (req.kind === 'history') return history(ctx);
    const suite = await loadSuite(ctx, req.source, req.json);
    const perCase = req.compare ? 2 : 1;
    if (!ctx.isAdmin && suite.length * perCase > MEMBER_CALLS) {
      const most = Math.floor(MEMBER_CALLS / perCase);
      throw new UserError(
        'SuiteTooLarge',
        `Suites of more than ${most} cases${req.compare ? ' (when comparing two models)' : ''} are for Eos admins (this one has ${suite.length}).`,
      );
    }
    const mode = req.mode ?? ctx.services.config.bot.training.testMode;
    const what = req.compare ? `on \`${req.compare[0]}\` and \`${req.compare[1]}\`` : '';
    const progress = await ctx.reply(
      `Running ${suite.length} test case(s) ${what}(${mode === 'chat' ? 'chat prompt' : 'raw model'})…`.replace(' (', ' ('),
    );
    const outcome = await evaluate(evalDeps(ctx), { suite, mode, ...(req.compare ? { compare: req.compare } : {}) });
    await ctx.services.surface
      .edit(progress.channelId, progress.id, { content: `Ran ${suite.length} test case(s).` })
      .catch(() => undefined);
    if (outcome.kind === 'single') {
      ctx.log.info({ passed: outcome.result.passed, total: outcome.result.total, file: outcome.file }, 'test suite done');
      await ctx.reply({ content: formatSuiteResult(outcome.result), files: [report('test-report.txt', formatCaseTable(outcome.result))] });
      return;
    }
    const { a, b } = outcome.comparison;
    ctx.log.info({ a: `${a.passed}/${a.total}`, b: `${b.passed}/${b.total}`, files: outcome.files }, 'test comparison done');
    await ctx.reply({
      content: formatComparison(outcome.comparison),
      files: [report('compare-report.txt', `${formatCaseTable(a)}\n\n${formatCaseTable(b)}`)],
    });
  },
});

function report(name: string, text: string) {
  return { name, data: Buffer.from(text, 'utf8'), contentType: 'text/plain; charset=utf-8' };
}

async function loadSuite(ctx: CommandContext, source: 'last' | 'inline' | 'attachment', json: string): Promise<TestCase[]> {
  if (source === 'last') {
    const stored = await ctx.services.evaluations.lastSuite();
    const checked = stored ? validateSuite(stored) : null;
    if (!checked?.ok)
      throw new UserError('NoLastSuite', 'No test suite has been run yet: run one with `test <json>` or an attached .json file first.');
    return checked.suite;
  }
  const file = ctx.attachments[0];
  if (source === 'attachment' && !file) {
    throw new UserError(
      'NoSuite',
      'Give a JSON array of cases, e.g. `[{"input": "Capital of France?", "expected": "Paris"}]`, attach a .json file, or use `last`.',
    );
  }
  const text = source === 'inline' ? json : await readAttachmentText(file!, { maxBytes: SUITE_LIMIT });
  const parsed = parseSuite(text);
  if (!parsed.ok) throw new UserError('BadSuite', parsed.error.slice(0, 1900));
  return parsed.suite;
}

function evalDeps(ctx: CommandContext): EvalDeps {
  const { services } = ctx;
  const training = services.config.bot.training;
  const chatModelName = services.state.training().chatModel;
  return {
    model: services.model,
    store: services.evaluations,
    ...(chatModelName ? { chatModelName } : {}),
    judgeModel: training.judgeModel,
    embedder: services.embedder ?? null,
    concurrency: training.testConcurrency,
    chat: {
      systemTemplate: services.config.bot.conversation.systemPrompt,
      botName: services.config.bot.name,
      userName: ctx.user.displayName,
      server: ctx.guildId ? (ctx.message?.guildName ?? 'this server') : 'Direct messages',
      channel: ctx.message?.channelName ?? (ctx.guildId ? ctx.channelId : 'DM'),
      fewShot: training.fewShot,
      ...(services.memory ? { memory: services.memory } : {}),
    },
  };
}

async function history(ctx: CommandContext): Promise<void> {
  const runs = (await ctx.services.evaluations.list(HISTORY_RUNS)).map((s) => s.result);
  const chart = await evalHistoryChart(runs);
  if (!chart) throw new UserError('NoHistory', 'No test runs stored yet: run a suite with `test` first.');
  const latest = runs[0]!;
  await ctx.reply({
    content: `Pass rate of the last ${chart.runs} run(s) · ${chart.models.length} model(s) · latest ${latest.passed}/${latest.total}`,
    files: [{ name: 'eval-history.png', data: chart.png, contentType: 'image/png' }],
  });
}
