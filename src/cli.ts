import { Command, Option } from 'commander';
import { ConfigError, loadConfig } from './config.js';
import { createCliContext, type CliContext } from './cli/context.js';
import { datasetExport, datasetList, datasetStats, datasetValidate } from './cli/dataset.js';
import { archive } from './cli/actions.js';
import { registerTrainCommands } from './cli/train.js';
import { testSuite, type TestCliOptions } from './cli/test.js';
import { cliShards } from './cli/shards.js';
import { isUserError } from './core/errors.js';
import { BOT_RUNNING_EXIT, BotRunningError, guardWriter, insideDataDir, type Writes } from './cli/guard.js';

/** `npm run cli -- <command>`: the same datasets, evaluations, archives and fine-tuning as the bot. */
function program(run: (fn: (ctx: CliContext) => Promise<number>, writes?: Writes) => Promise<void>): Command {
  const eos = new Command('eos').description('Eos training tools').option('-v, --verbose', 'log debug output to stderr');
  const dataset = eos.command('dataset').description('inspect and export datasets');
  dataset
    .command('list')
    .description('datasets and their counts (* = active)')
    .action(() => run((c) => datasetList(c)));
  dataset
    .command('stats [name]')
    .description('counts, sizes and sources of a dataset')
    .action((name?: string) => run((c) => datasetStats(c, name)));
  dataset
    .command('validate <file>')
    .description('check a training file as !train would (stores nothing)')
    .action((file: string) => run((c) => datasetValidate(c, file)));
  dataset
    .command('export [name]')
    .description('write a dataset file (JSONL) to --out or stdout, as stored or in an open trainer format')
    .addOption(new Option('-k, --kind <kind>', 'positive | negative | preference').default('positive'))
    .option('-o, --out <file>', 'output file (default stdout)')
    .addOption(
      new Option(
        '-f, --format <format>',
        'openai (as stored) | trl (messages; prompt/chosen/rejected) | trl-completion | sharegpt',
      ).default('openai'),
    )
    .action((name: string | undefined, o: { kind: string; out?: string; format: string }) =>
      run(
        (c) => datasetExport(c, { name, ...o }),
        (config) => (o.out && insideDataDir(config, o.out) ? o.out : null),
      ),
    );
  eos
    .command('test <file>')
    .description('run a JSON test suite as chat replies are made (or --raw), or on two models with --compare <old> <new>')
    .option('--compare <models...>', 'two model names: the old one, then the new one')
    .option('--raw', 'send the cases alone (no system prompt or few-shot examples)')
    .option('--chat', 'send the cases as chat replies are made (the default unless training.testMode is "raw")')
    .action((file: string, o: TestCliOptions) => run((c) => testSuite(c, file, o), 'the results under evaluations/'));
  eos
    .command('archive [name]')
    .description('zip a dataset (default: the active one) or "all" into archives/')
    .action((name?: string) => run((c) => archive(c, name), 'a zip under archives/'));
  registerTrainCommands(eos, run);
  eos
    .command('shards')
    .description('status of the running shards: servers, ping, uptime, memory (from the sharding manager)')
    .action(async () => void (await cliShards(loadConfig(), (line) => process.stdout.write(`${line}\n`))));
  return eos;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cmd = program(async (fn, writes = null) => {
    const config = loadConfig();
    const running = await guardWriter(config, writes);
    const ctx = await createCliContext(config, (line) => process.stdout.write(`${line}\n`), Boolean(cmd.opts().verbose), running);
    try {
      code = await fn(ctx);
    } finally {
      await ctx.datasets.close();
      await ctx.state.flush();
    }
  });
  await cmd.parseAsync(argv);
  return code;
}

main(process.argv).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const message = err instanceof ConfigError || isUserError(err) || err instanceof Error ? err.message : String(err);
    process.stderr.write(`eos: ${message}\n`);
    process.exit(err instanceof ConfigError ? 2 : err instanceof BotRunningError ? BOT_RUNNING_EXIT : 1);
  },
);
