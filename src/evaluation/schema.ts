/**
 * Validates a parsed suite (an array of cases) and returns typed cases or errors that name the case
 * (1-based, "case 3") and the field ("assert[0].type"). Unknown fields are errors, so typos such as
 * "asert" are caught instead of silently ignored. Regex patterns are compiled here, so a bad pattern
 * is reported before any model call.
 */
import type { ChatMessage } from '../llm/port.js';
import { compilePattern } from './regex.js';
import { ASSERTION_TYPES, type Assertion, type AssertionType, type MatchMode, type TestCase } from './types.js';

export const MAX_CASES = 1_000;
const MAX_REPORTED_ERRORS = 5;
const CASE_FIELDS = new Set(['name', 'system', 'input', 'messages', 'expected', 'match', 'threshold', 'assert']);
const ASSERT_FIELDS = new Set(['type', 'value', 'threshold']);
const MESSAGE_FIELDS = new Set(['role', 'content', 'name']);
const ROLES = ['system', 'user', 'assistant'];
const MATCH_MODES: readonly string[] = ['auto', 'exact', 'contains', 'similar'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isUnit = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;

export function validateSuite(value: unknown): { ok: true; suite: TestCase[] } | { ok: false; error: string } {
  if (!Array.isArray(value)) return { ok: false, error: 'the suite must be a JSON array of cases' };
  if (value.length === 0) return { ok: false, error: 'the suite is empty' };
  if (value.length > MAX_CASES) return { ok: false, error: `too many cases (${value.length}, at most ${MAX_CASES})` };
  const errors: string[] = [];
  const suite: TestCase[] = [];
  value.forEach((raw, i) => {
    const errs: string[] = [];
    const c = validateCase(raw, errs);
    for (const e of errs) errors.push(`case ${i + 1}: ${e}`);
    suite.push(c);
  });
  if (errors.length === 0) return { ok: true, suite };
  const extra = errors.length - MAX_REPORTED_ERRORS;
  const shown = errors.slice(0, MAX_REPORTED_ERRORS);
  if (extra > 0) shown.push(`… and ${extra} more error${extra === 1 ? '' : 's'}`);
  return { ok: false, error: shown.join('\n') };
}

function validateCase(raw: unknown, errs: string[]): TestCase {
  if (!isObj(raw)) {
    errs.push('must be an object like {"input": "...", "expected": "..."}');
    return {};
  }
  for (const k of Object.keys(raw)) if (!CASE_FIELDS.has(k)) errs.push(`unknown field "${k}"`);
  const c: TestCase = {};
  for (const k of ['name', 'system', 'input', 'expected'] as const) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v === 'string') c[k] = v;
    else errs.push(`${k} must be a string`);
  }
  if (raw.input !== undefined && raw.messages !== undefined) errs.push('use either "input" or "messages", not both');
  else if (raw.input === undefined && raw.messages === undefined) errs.push('needs "input" or "messages"');
  if (c.input === '') errs.push('input must not be empty');
  if (raw.messages !== undefined) c.messages = validateMessages(raw.messages, errs);
  validateMatch(raw, c, errs);
  if (raw.assert !== undefined) c.assert = validateAsserts(raw.assert, errs);
  if (raw.expected === undefined && raw.assert === undefined) errs.push('needs "expected" or "assert"');
  return c;
}

function validateMatch(raw: Obj, c: TestCase, errs: string[]): void {
  if (raw.match !== undefined) {
    if (typeof raw.match === 'string' && MATCH_MODES.includes(raw.match)) c.match = raw.match as MatchMode;
    else errs.push(`match must be one of ${MATCH_MODES.map((m) => `"${m}"`).join(', ')}`);
  }
  if (raw.threshold !== undefined) {
    if (!isUnit(raw.threshold)) errs.push('threshold must be a number between 0 and 1');
    else if (raw.match !== undefined && raw.match !== 'similar') errs.push('threshold only applies to "match": "similar"');
    else c.threshold = raw.threshold;
  }
  if ((raw.match !== undefined || raw.threshold !== undefined) && raw.expected === undefined) {
    errs.push('"match" and "threshold" apply to "expected", which is missing');
  }
}

function validateMessages(raw: unknown, errs: string[]): ChatMessage[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    errs.push('messages must be a non-empty array of {"role", "content"}');
    return [];
  }
  const out: ChatMessage[] = [];
  raw.forEach((m, i) => {
    const at = `messages[${i}]`;
    if (!isObj(m)) return void errs.push(`${at} must be an object with "role" and "content"`);
    for (const k of Object.keys(m)) if (!MESSAGE_FIELDS.has(k)) errs.push(`${at}: unknown field "${k}"`);
    const { role, content, name } = m;
    if (typeof role !== 'string' || !ROLES.includes(role)) errs.push(`${at}.role must be one of ${ROLES.join(', ')}`);
    if (typeof content !== 'string') errs.push(`${at}.content must be a string`);
    if (name !== undefined && typeof name !== 'string') errs.push(`${at}.name must be a string`);
    const msg: ChatMessage = { role: role as ChatMessage['role'], content: String(content) };
    if (typeof name === 'string') msg.name = name;
    out.push(msg);
  });
  return out;
}

function validateAsserts(raw: unknown, errs: string[]): Assertion[] {
  if (!Array.isArray(raw)) {
    errs.push('assert must be an array of {"type", "value"}');
    return [];
  }
  const out: Assertion[] = [];
  raw.forEach((a, i) => {
    const at = `assert[${i}]`;
    if (!isObj(a)) return void errs.push(`${at} must be an object with "type" and "value"`);
    for (const k of Object.keys(a)) if (!ASSERT_FIELDS.has(k)) errs.push(`${at}: unknown field "${k}"`);
    const { type, value, threshold } = a;
    const typeOk = typeof type === 'string' && (ASSERTION_TYPES as readonly string[]).includes(type);
    if (!typeOk) errs.push(`${at}.type must be one of ${ASSERTION_TYPES.join(', ')}`);
    if (typeof value !== 'string') errs.push(`${at}.value must be a string`);
    else if (type === 'judge' && value.trim() === '') errs.push(`${at}.value must be the rubric the judge grades by`);
    const similar = type === 'similar' || type === 'not-similar';
    if (threshold !== undefined && !similar) errs.push(`${at}.threshold only applies to similar and not-similar`);
    else if (threshold !== undefined && !isUnit(threshold)) errs.push(`${at}.threshold must be a number between 0 and 1`);
    if (typeOk && typeof value === 'string' && (type === 'regex' || type === 'not-regex')) {
      const p = compilePattern(value);
      if (!p.ok) errs.push(`${at}.value: ${p.error}`);
    }
    const out1: Assertion = { type: type as AssertionType, value: String(value) };
    if (isUnit(threshold)) out1.threshold = threshold;
    out.push(out1);
  });
  return out;
}
