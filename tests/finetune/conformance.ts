/**
 * The shared conformance suite of the fine-tuning port: every adapter (OpenAI-compatible, Azure-style, Together AI,
 * local trainer) runs these same tests against its fake (fake servers, fake trainer command).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { FineTuneError, FineTuneService, type FineTuneBackend, type JobView } from '../../src/finetune/index.js';
import { chatRecord, jsonl, makeDataset, preferenceRecord } from './helpers.js';

export interface ConformanceWorld {
  backend: FineTuneBackend;
  baseModel: string;
  /** The next job created fails during training with this message. */
  failNext(message: string): void;
  /** Jobs created from now on keep running until cancelled. */
  longJobs(): void;
  /** The next `count` requests fail with a 503 (HTTP backends), or null. */
  failRequests: ((count: number) => void) | null;
  /** True when the backend refuses unknown base models itself. */
  checksModels: boolean;
  /** Problems the fake found in the traffic (contract checks). */
  violations(): string[];
  close(): Promise<void>;
}

export function fineTuneConformance(name: string, start: () => Promise<ConformanceWorld>): void {
  describe(`fine-tuning port conformance: ${name}`, () => {
    let world: ConformanceWorld;
    let datasetDir: string;
    let workDir: string;
    const service = (baseModel = world.baseModel) =>
      new FineTuneService({
        backend: world.backend,
        baseModel,
        epochs: 2,
        validationSplit: 0.3,
        pricePerMillionTokens: null,
        minExamples: 1,
        contextTokens: null,
        workDir,
      });

    beforeAll(async () => {
      datasetDir = await makeDataset({
        'positive.jsonl': jsonl(Array.from({ length: 12 }, (_, i) => chatRecord(i))),
        'preference.jsonl': jsonl(Array.from({ length: 4 }, (_, i) => preferenceRecord(i))),
      });
      workDir = await mkdtemp(path.join(tmpdir(), 'eos-ft-work-'));
    });
    afterAll(async () => {
      await rm(path.dirname(path.dirname(datasetDir)), { recursive: true, force: true });
      await rm(workDir, { recursive: true, force: true });
    });
    beforeEach(async () => {
      world = await start();
    });
    afterEach(async () => {
      expect(world.violations()).toEqual([]);
      await world.close();
    });

    async function run(method: 'sft' | 'dpo' = 'sft') {
      const s = service();
      const prepared = await s.prepare(datasetDir, method);
      const started = await s.start(prepared, 'conf');
      const updates: JobView[] = [];
      const final = await s.follow(started.id, { intervalMs: 5, onUpdate: async (j) => void updates.push(j) });
      return { s, prepared, started, updates, final };
    }

    test('sft with a validation split: starts, is followed to success, and logs loss per step', async () => {
      const { s, prepared, started, updates, final } = await run('sft');
      expect(prepared.report.train + prepared.report.validationCount).toBe(12);
      expect(prepared.report.validationCount).toBeGreaterThan(0);
      expect(started.status).not.toBe('succeeded');
      expect(updates.some((u) => /^step \d+\/\d+$/.test(u.progress))).toBe(true);
      expect(final).toMatchObject({ id: started.id, status: 'succeeded', error: null });
      expect(final.fineTunedModel).toMatch(/\S/);
      const metrics = await s.metrics(started.id);
      expect(metrics.length).toBeGreaterThanOrEqual(2);
      expect(metrics.map((m) => m.step)).toEqual([...metrics.map((m) => m.step)].sort((a, b) => a - b));
      expect(metrics.every((m) => m.trainLoss === null || Number.isFinite(m.trainLoss))).toBe(true);
      expect(metrics.filter((m) => m.trainLoss !== null).length).toBeGreaterThanOrEqual(2);
      expect(metrics.some((m) => m.validLoss !== null)).toBe(true);
    }, 60_000);

    test('dpo: preference pairs train to success', async () => {
      const { prepared, final } = await run('dpo');
      expect(prepared.report.examples).toBe(4);
      expect(final.status).toBe('succeeded');
    }, 60_000);

    test('a job that fails ends failed with the reason', async () => {
      world.failNext('CUDA out of memory');
      const { final } = await run('sft');
      expect(final.status).toBe('failed');
      expect(final.error).toContain('CUDA out of memory');
      expect(final.fineTunedModel).toBeNull();
    }, 60_000);

    test('cancel stops a running job; cancelling again is refused and not retryable', async () => {
      world.longJobs();
      const s = service();
      const started = await s.start(await s.prepare(datasetDir, 'sft'));
      const ctl = new AbortController();
      await s
        .follow(started.id, {
          intervalMs: 5,
          signal: ctl.signal,
          onUpdate: async (j) => void (j.status === 'running' && ctl.abort()),
        })
        .catch((err: unknown) => {
          if (!ctl.signal.aborted) throw err;
        });
      const cancelled = await s.cancel(started.id);
      const settled =
        cancelled.status === 'cancelled' ? cancelled : await s.follow(started.id, { intervalMs: 5, onUpdate: async () => undefined });
      expect(settled.status).toBe('cancelled');
      const again = await s.cancel(started.id).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(FineTuneError);
      expect((again as FineTuneError).retryable).toBe(false);
    }, 60_000);

    test('an unknown job is a not-found FineTuneError, not retryable', async () => {
      for (const id of ['ft-00000000-0000-0000-0000-000000000000', 'local-nope-1', 'not a job id!']) {
        const err = await service()
          .status(id)
          .catch((e: unknown) => e);
        expect(err, id).toBeInstanceOf(FineTuneError);
        expect((err as FineTuneError).retryable, id).toBe(false);
      }
    }, 60_000);

    test('events: newest first, with messages', async () => {
      const { s, started } = await run('sft');
      const events = await s.events(started.id, 5);
      expect(events.length).toBeGreaterThan(0);
      expect(events.length).toBeLessThanOrEqual(5);
      expect(events.every((e) => typeof e.message === 'string' && e.message.length > 0)).toBe(true);
      const times = events.map((e) => e.createdAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }, 60_000);

    test('server trouble is a retryable FineTuneError; the follower keeps polling through it', async () => {
      if (!world.failRequests) return; // no HTTP in between (local trainer)
      const s = service();
      const started = await s.start(await s.prepare(datasetDir, 'sft'));
      world.failRequests(50);
      const err = await s.status(started.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FineTuneError);
      expect((err as FineTuneError).retryable).toBe(true);
      world.failRequests(0);
      world.failRequests(2);
      const final = await s.follow(started.id, { intervalMs: 5, onUpdate: async () => undefined });
      expect(final.status).toBe('succeeded');
    }, 60_000);

    test('a base model the backend does not offer gets a reply naming training.baseModel', async () => {
      if (!world.checksModels) return; // a local trainer takes any model name the operator gives it
      const s = service('no-such-model-7b');
      const err = await s.start(await s.prepare(datasetDir, 'sft')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FineTuneError);
      expect((err as FineTuneError).kind).toBe('model');
      expect((err as FineTuneError).message).toContain('training.baseModel');
    }, 60_000);
  });
}
