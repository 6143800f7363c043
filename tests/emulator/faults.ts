/**
 * REST fault injection: the next matching request(s) answer 429 (with Discord's headers and body) or an error status,
 * or are answered late (handled at once, answer delayed).
 */
import type { EmuResponse } from './rest/router.js';
import type { DelayRule, FailRule } from './types.js';

interface ActiveRule extends FailRule {
  left: number;
}

export class FaultInjector {
  private readonly rules: ActiveRule[] = [];
  private readonly delays: (DelayRule & { left: number })[] = [];
  latencyMs = 0;

  add(rule: FailRule): void {
    this.rules.push({ ...rule, left: rule.times ?? 1 });
  }

  addDelay(rule: DelayRule): void {
    this.delays.push({ ...rule, left: rule.times ?? 1 });
  }

  /** Consumes a matching delay rule: how long to hold the answer (latencyMs included). */
  delayFor(method: string, path: string, route: string): number {
    const rule = this.delays.find((r) => r.left > 0 && matches(r, method, path, route));
    if (rule) rule.left--;
    return this.latencyMs + (rule?.ms ?? 0);
  }

  /** Consumes a matching rule and returns the response to send instead, if any. */
  take(method: string, path: string, route: string): EmuResponse | undefined {
    const rule = this.rules.find((r) => r.left > 0 && matches(r, method, path, route));
    if (!rule) return undefined;
    rule.left--;
    return rule.status === 429 ? rateLimited(route, rule.retryAfter ?? 0.05) : serverError(rule.status);
  }
}

function matches(r: FailRule | DelayRule, method: string, path: string, route: string): boolean {
  if (r.method && r.method.toUpperCase() !== method) return false;
  if (typeof r.route === 'string') return r.route === route || r.route === path;
  return r.route.test(path) || r.route.test(route);
}

function rateLimited(route: string, retryAfter: number): EmuResponse {
  return {
    status: 429,
    headers: {
      'retry-after': String(retryAfter),
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String((Date.now() / 1000 + retryAfter).toFixed(3)),
      'x-ratelimit-reset-after': String(retryAfter),
      'x-ratelimit-bucket': Buffer.from(route).toString('hex').slice(0, 32),
      'x-ratelimit-scope': 'user',
    },
    body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false, code: 0 },
  };
}

function serverError(status: number): EmuResponse {
  if (status >= 500) return { status, body: { message: `${status}: emulated server error`, code: 0 } };
  return { status, body: { message: `${status}: emulated error`, code: 0 } };
}
