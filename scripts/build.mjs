#!/usr/bin/env node
/**
 * Compiles src/ to dist/ (tsc -p tsconfig.build.json). `npm install` runs it (prepare: always builds), and
 * `npm start` (scripts/start.mjs, in the bot's own process) / `npm run cli` run it first with --if-stale, which only
 * builds when a file under src/ or a tsconfig is newer than the last build (a stat of each file, ~10 ms), so a fresh
 * checkout or a `git pull` without `npm install` never runs stale JavaScript.
 *
 * The build goes to a temporary folder that replaces dist/ when complete, under a lock (dist.lock), so
 * concurrent starts (e.g. tests) neither build twice nor see half a build. Type errors are printed, but
 * tsc still emits and the build counts (`npm run typecheck` is the gate for types).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist');
const STAMP = path.join(DIST, '.build-stamp');
const LOCK = path.join(ROOT, 'dist.lock');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(p) {
  const st = statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

function isStale() {
  const stamp = statSync(STAMP, { throwIfNoEntry: false });
  if (!stamp) return true;
  return INPUTS.some((input) => newestMtime(path.join(ROOT, input)) > stamp.mtimeMs);
}

const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Whether the process that wrote a lock is still running. */
function holderAlive() {
  const pid = Number(readFileSync(path.join(LOCK, 'pid'), { encoding: 'utf8', flag: 'r' }).trim() || 'NaN');
  if (!Number.isInteger(pid)) return true; // being written: give it a moment
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * mkdir is atomic: the one that creates dist.lock builds. A lock whose process is gone (killed mid-build) or older
 * than 5 minutes is taken over.
 */
function withLock(fn) {
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      const st = statSync(LOCK, { throwIfNoEntry: false });
      let alive;
      try {
        alive = holderAlive();
      } catch {
        alive = st !== undefined && Date.now() - st.mtimeMs < 2000; // no pid file yet
      }
      if (!alive || (st && Date.now() - st.mtimeMs > 5 * 60_000)) rmSync(LOCK, { recursive: true, force: true });
      else sleep(200);
    }
  }
  const release = () => rmSync(LOCK, { recursive: true, force: true });
  const onSignal = (signal) => {
    release();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    return fn();
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    release();
  }
}

function build() {
  const tmp = `${DIST}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const started = Date.now();
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', tmp], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.stdout) process.stderr.write(r.stdout);
  if (!existsSync(path.join(tmp, 'main.js'))) {
    rmSync(tmp, { recursive: true, force: true });
    process.stderr.write(`build: tsc failed (exit ${r.status ?? r.signal}); dist/ unchanged\n`);
    process.exit(1);
  }
  if (r.status !== 0) process.stderr.write('build: type errors above (emitted anyway; `npm run typecheck` checks types)\n');
  writeFileSync(path.join(tmp, '.build-stamp'), `${new Date().toISOString()}\n`);
  const old = `${DIST}.old-${process.pid}`;
  if (existsSync(DIST)) renameSync(DIST, old);
  renameSync(tmp, DIST);
  rmSync(old, { recursive: true, force: true });
  process.stderr.write(`build: dist/ compiled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** Builds dist/ (with `ifStale`, only when src/ is newer than the last build). */
export function ensureBuilt({ ifStale }) {
  // tests/e2e/entry.test.ts builds once before its tests and sets EOS_BUILD_CHECK=off for the `npm start` it runs.
  if (ifStale && process.env.EOS_BUILD_CHECK === 'off' && existsSync(STAMP)) return;
  if (!ifStale || isStale()) withLock(() => (!ifStale || isStale() ? build() : undefined));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) ensureBuilt({ ifStale: process.argv.includes('--if-stale') });
