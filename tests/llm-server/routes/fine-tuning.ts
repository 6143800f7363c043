/**
 * Fine-tuning API of the fake server: POST/GET /v1/fine_tuning/jobs, GET /v1/fine_tuning/jobs/{id} (each GET
 * advances the simulated job one stage or step), POST .../cancel, GET .../events. Files come from routes/files.ts.
 */
import { sendError, sendJson } from '../http.js';
import type { FakeState, Route, RouteContext } from '../types.js';
import { FakeFileStore, fileRoutes, type StoredFile } from './files.js';
import {
  addEvent,
  advance,
  finish,
  isTerminal,
  newSimJob,
  trainingFileProblem,
  type JobObject,
  type MethodType,
  type SimJob,
} from './fine-tuning-sim.js';

/** Test knobs, reachable as `fake.fineTuning`. */
export interface FineTuningKnobs {
  /** The next job created fails at its first training step with this error message. */
  failNext(message?: string): void;
  /** Training steps of jobs created from now on (default 3; a running job takes one step per GET of the job). */
  totalSteps: number;
  /** Uploaded files by id. */
  readonly files: ReadonlyMap<string, StoredFile>;
  /** A job as the server currently sees it. */
  job(id: string): JobObject | undefined;
}

export class FakeFineTuning implements FineTuningKnobs {
  totalSteps = 3;
  private readonly store: FakeFileStore;
  private readonly jobs = new Map<string, SimJob>();
  private pendingFailure: string | undefined;

  constructor(private readonly state: FakeState) {
    this.store = new FakeFileStore(state.nextId);
  }

  get files(): ReadonlyMap<string, StoredFile> {
    return this.store.files;
  }

  failNext(message = 'The job failed due to an internal error.'): void {
    this.pendingFailure = message;
  }

  job(id: string): JobObject | undefined {
    return this.jobs.get(id)?.job;
  }

  /** Routes for files and fine-tuning, bound to this instance. */
  routes(): Route[] {
    const base = '/v1/fine_tuning/jobs';
    return [
      ...fileRoutes(this.store),
      { method: 'POST', path: base, handle: (ctx) => this.create(ctx) },
      { method: 'GET', path: base, handle: (ctx) => this.list(ctx) },
      { method: 'GET', path: `${base}/{fine_tuning_job_id}`, handle: (ctx) => this.retrieve(ctx) },
      { method: 'POST', path: `${base}/{fine_tuning_job_id}/cancel`, handle: (ctx) => this.cancel(ctx) },
      { method: 'GET', path: `${base}/{fine_tuning_job_id}/events`, handle: (ctx) => this.events(ctx) },
    ];
  }

  private create(ctx: RouteContext): void {
    const body = (typeof ctx.body === 'object' && ctx.body !== null ? ctx.body : {}) as Record<string, unknown>;
    const checked = this.checkCreate(body);
    if (typeof checked === 'string') {
      const param = checked.includes('file') || checked.includes('Line') ? 'training_file' : null;
      sendJson(ctx, 400, { error: { message: checked, type: 'invalid_request_error', param, code: null } });
      return;
    }
    const sim = newSimJob({
      ...checked,
      id: this.state.nextId('ftjob-fake'),
      totalSteps: this.totalSteps,
      ...(this.pendingFailure !== undefined ? { failWith: this.pendingFailure } : {}),
    });
    this.pendingFailure = undefined;
    this.jobs.set(sim.job.id, sim);
    addEvent(sim, this.state.nextId, `Created fine-tuning job: ${sim.job.id}`);
    addEvent(sim, this.state.nextId, `Validating training file: ${sim.job.training_file}`);
    sendJson(ctx, 200, sim.job);
  }

  /** The job parameters, or why the request is refused. */
  private checkCreate(body: Record<string, unknown>) {
    const { model, training_file: file, suffix } = body;
    const method = (body['method'] as { type?: unknown } | undefined)?.type ?? 'supervised';
    if (typeof model !== 'string' || !this.state.models.includes(model)) {
      return `Model ${JSON.stringify(model ?? null)} is not available for fine-tuning.`;
    }
    if (method !== 'supervised' && method !== 'dpo') return `The fake server does not support method ${JSON.stringify(method)}.`;
    if (suffix !== undefined && suffix !== null && (typeof suffix !== 'string' || !/^[\w-]{1,64}$/.test(suffix))) {
      return 'The suffix must be 1 to 64 letters, digits, "-" or "_".';
    }
    const stored = typeof file === 'string' ? this.store.get(file) : undefined;
    if (!stored) return `Invalid training_file: no such file ${JSON.stringify(file ?? null)}.`;
    if (stored.object.purpose !== 'fine-tune') return `File ${stored.object.id} was not uploaded with purpose 'fine-tune'.`;
    const problem = trainingFileProblem(stored.content, method);
    if (problem) return `Invalid training_file ${stored.object.id}: ${problem}`;
    const validation = body['validation_file'];
    const validStored = typeof validation === 'string' ? this.store.get(validation) : undefined;
    if (validation !== undefined && validation !== null) {
      if (!validStored) return `Invalid validation_file: no such file ${JSON.stringify(validation)}.`;
      const vProblem = trainingFileProblem(validStored.content, method);
      if (vProblem) return `Invalid validation_file ${validStored.object.id}: ${vProblem}`;
    }
    return {
      model,
      // tsc needs the narrowing; typescript-eslint's project service sees it as unnecessary
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      method: method as MethodType,
      suffix: typeof suffix === 'string' ? suffix : '',
      trainingFile: stored.object.id,
      trainingBytes: stored.content.length,
      ...(validStored ? { validationFile: validStored.object.id } : {}),
    };
  }

  private found(ctx: RouteContext): SimJob | undefined {
    const id = ctx.params['fine_tuning_job_id'] ?? '';
    const sim = this.jobs.get(id);
    if (!sim) sendError(ctx, 404, `Could not find fine-tune: ${id}`);
    return sim;
  }

  private retrieve(ctx: RouteContext): void {
    const sim = this.found(ctx);
    if (!sim) return;
    advance(sim, this.state.nextId);
    // Like OpenAI, GET /v1/models lists a fine-tuned model once its job succeeded.
    const done = sim.job.fine_tuned_model;
    if (done && !this.state.models.includes(done)) this.state.models.push(done);
    sendJson(ctx, 200, sim.job);
  }

  private cancel(ctx: RouteContext): void {
    const sim = this.found(ctx);
    if (!sim) return;
    if (isTerminal(sim.job.status)) {
      sendError(ctx, 400, `Job ${sim.job.id} has already ${sim.job.status === 'cancelled' ? 'been cancelled' : 'finished'}.`);
      return;
    }
    finish(sim, this.state.nextId, 'cancelled');
    sendJson(ctx, 200, sim.job);
  }

  private events(ctx: RouteContext): void {
    const sim = this.found(ctx);
    if (!sim) return;
    sendJson(ctx, 200, page([...sim.events].reverse(), ctx));
  }

  private list(ctx: RouteContext): void {
    sendJson(ctx, 200, page([...this.jobs.values()].map((s) => s.job).reverse(), ctx));
  }
}

/** Cursor pagination as OpenAI does it: newest first, `after` = last id seen, `limit` default 20. */
function page<T extends { id: string }>(newestFirst: T[], ctx: RouteContext) {
  const query = new URL(ctx.req.url ?? '/', 'http://fake.invalid').searchParams;
  const limit = Math.min(100, Math.max(1, Number.parseInt(query.get('limit') ?? '20', 10) || 20));
  const after = query.get('after');
  const start = after === null ? 0 : newestFirst.findIndex((x) => x.id === after) + 1;
  const data = newestFirst.slice(start, start + limit);
  return { object: 'list' as const, data, has_more: start + limit < newestFirst.length };
}
