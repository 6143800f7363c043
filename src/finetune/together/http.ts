/** A small JSON/multipart client for Together AI's REST API (Bearer auth, `{"error": {"message"}}` errors). */
import { openAsBlob } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FineTuneError, fromHttpStatus, unreachable } from '../errors.js';
import { redact } from '../../llm/redact.js';

export const SERVICE = 'Together AI';

export interface TogetherHttpOptions {
  baseURL: string;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
}

export class TogetherHttp {
  constructor(private readonly opts: TogetherHttpOptions) {}

  get<T>(route: string): Promise<T> {
    return this.send<T>('GET', route, () => undefined);
  }

  post<T>(route: string, body?: unknown): Promise<T> {
    return this.send<T>(
      'POST',
      route,
      () => (body === undefined ? undefined : JSON.stringify(body)),
      body === undefined ? {} : { 'content-type': 'application/json' },
    );
  }

  /** POST /files/upload as multipart (purpose fine-tune, file_name, file_type jsonl, file). */
  async upload<T>(file: string): Promise<T> {
    const blob = await openAsBlob(file).catch((err: NodeJS.ErrnoException) => {
      throw new FineTuneError('config', `No such training file: ${file} (${err.code ?? err.message})`, false);
    });
    return this.send<T>('POST', '/files/upload', () => {
      const form = new FormData();
      form.set('purpose', 'fine-tune');
      form.set('file_name', path.basename(file));
      form.set('file_type', 'jsonl');
      form.set('file', blob, path.basename(file));
      return form;
    });
  }

  private async send<T>(
    method: string,
    route: string,
    body: () => string | FormData | undefined,
    headers: Record<string, string> = {},
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, route, body(), headers);
      } catch (err) {
        const mapped =
          err instanceof FineTuneError
            ? err
            : unreachable(SERVICE, new Error(redact(err instanceof Error ? err.message : String(err), this.opts.apiKey)));
        if (!mapped.retryable || attempt >= this.opts.maxRetries) throw mapped;
        await sleep(250 * 2 ** attempt);
      }
    }
  }

  private async once<T>(method: string, route: string, body: string | FormData | undefined, headers: Record<string, string>): Promise<T> {
    const res = await fetch(`${this.opts.baseURL}${route}`, {
      method,
      headers: { authorization: `Bearer ${this.opts.apiKey}`, accept: 'application/json', ...headers },
      body,
      signal: AbortSignal.timeout(this.opts.timeoutMs),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const message = (json as { error?: { message?: unknown } } | undefined)?.error?.message;
      throw fromHttpStatus(
        res.status,
        redact(typeof message === 'string' ? message : text.slice(0, 200) || res.statusText, this.opts.apiKey),
        SERVICE,
      );
    }
    if (json === undefined)
      throw new FineTuneError('unavailable', `${SERVICE} answered ${method} ${route} with something that is not JSON.`, true, res.status);
    return json as T;
  }
}
