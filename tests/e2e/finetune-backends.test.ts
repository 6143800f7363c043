/**
 * The same `!train start` → report → Start → job → progress → loss curve flow from Discord on the other hosted
 * backends, configured the way an operator would: Together AI (TOGETHER_API_KEY, training.together.baseURL; its fake
 * follows Together's published API reference) and Azure OpenAI v1 (training.openai.baseURL/authHeader/apiVersion,
 * EOS_FINETUNE_API_KEY; an Azure-style gateway in front of the fake OpenAI server).
 */
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { startFakeLlm, type FakeLlm } from '../llm-server/index.js';
import { startFakeTogether, type FakeTogether } from '../providers/together/server.js';
import { startAzureProxy, type AzureProxy } from '../providers/azure/proxy.js';
import { chatRecord, jsonl } from '../finetune/helpers.js';

type Msg = Awaited<ReturnType<Harness['emu']['waitForBotMessage']>>;
const buttons = (m: Msg) => (m.components as { components?: { custom_id: string }[] }[]).flatMap((r) => r.components ?? []);

async function trainFromDiscord(h: Harness, expectModel: RegExp): Promise<string> {
  const say = (userId: string, content: string, attachments?: { name: string; data: Buffer }[]) =>
    h.emu.userSays({ channelId: h.general.id, userId, content, attachments });
  const replyTo = (id: string) => h.emu.waitForBotMessage(h.general.id, (m) => m.replyTo === id, { timeoutMs: 20_000 });
  const data = Buffer.from(jsonl(Array.from({ length: 20 }, (_, i) => chatRecord(i))));
  expect((await replyTo(say(h.alice.id, '!train positive', [{ name: 'ex.jsonl', data }]).id)).content).toMatch(/^Added 20 examples/);
  const report = await replyTo(say(h.owner.id, '!train start sft').id);
  expect(report.content).toContain('**Fine-tuning report**');
  const start = buttons(report)[0]!;
  h.emu.interaction({
    name: start.custom_id,
    type: 3,
    customId: start.custom_id,
    userId: h.owner.id,
    channelId: h.general.id,
    guildId: h.guild.id,
    targetMessageId: report.id,
  });
  const progress = await replyTo(report.id);
  const done = await h.emu.waitFor(() => (/succeeded|failed/.test(progress.content) ? progress : undefined), {
    timeoutMs: 30_000,
    label: 'job ended',
  });
  expect(done.content).toContain('succeeded');
  expect(done.content).toMatch(expectModel);
  const chart = await h.emu.waitForBotMessage(h.general.id, (m) => m.attachments.some((a) => a.filename.endsWith('.png')), {
    timeoutMs: 20_000,
  });
  const png = PNG.sync.read(chart.attachments[0]!.data);
  expect([png.width, png.height]).toEqual([800, 450]);
  return report.content;
}

describe('Together AI from Discord', () => {
  let h: Harness;
  let together: FakeTogether;
  beforeAll(async () => {
    together = await startFakeTogether();
    h = await startHarness({
      env: { TOGETHER_API_KEY: together.apiKey },
      behaviour: {
        training: { backend: 'together', followIntervalSec: 0.1, validationSplit: 0.2, together: { baseURL: together.baseURL } },
      },
    });
  }, 60_000);
  afterAll(async () => {
    expect(together.contractViolations).toEqual([]);
    expect(h.emu.contractViolations).toEqual([]);
    await h.close();
    await together.close();
  }, 60_000);

  test('report → Start → job on Together → follower → loss curve', async () => {
    const report = await trainFromDiscord(h, /`eos-user\/Meta-Llama-3\.1-8B-Instruct-Reference-eos-/);
    expect(report).toContain('→ `meta-llama/Meta-Llama-3.1-8B-Instruct-Reference` on Together AI');
    expect(report).toContain('no published price for this model');
    const create = together.requests.find((r) => r.path === '/v1/fine-tunes')!.body as Record<string, unknown>;
    expect(create).toMatchObject({ n_epochs: 3, training_method: { method: 'sft', train_on_inputs: false } });
    expect(create['validation_file']).toMatch(/^file-/);
  }, 120_000);
});

describe('Azure OpenAI (v1 API) from Discord', () => {
  let h: Harness;
  let llm: FakeLlm;
  let azure: AzureProxy;
  beforeAll(async () => {
    llm = await startFakeLlm({ models: ['eos-test-model', 'gpt-4.1-mini-2025-04-14'] });
    azure = await startAzureProxy(llm, { apiVersion: 'preview' });
    h = await startHarness({
      fake: llm,
      env: { EOS_FINETUNE_API_KEY: azure.apiKey },
      behaviour: { training: { followIntervalSec: 0.1, openai: { baseURL: azure.baseURL, authHeader: 'api-key', apiVersion: 'preview' } } },
    });
  }, 60_000);
  afterAll(async () => {
    expect(azure.refused).toEqual([]);
    expect(llm.contractViolations).toEqual([]);
    await h.close();
    await azure.close();
    await llm.close();
  }, 60_000);

  test('report (with the published price of the default base model) → Start → job through the api-key gateway', async () => {
    const report = await trainFromDiscord(h, /`ft:gpt-4\.1-mini-2025-04-14:eos:eos:/);
    expect(report).toMatch(/estimated cost: .* per epoch, .* for 3 epochs \(at \$5\/1M tokens\)/);
    expect(azure.forwarded).toBeGreaterThan(3);
  }, 120_000);
});
