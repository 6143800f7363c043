/**
 * vitest globalSetup: compiles src/ to dist/ once when it is stale (tests that run `npm start` / `npm run cli`
 * use the compiled build), then tells those children not to check again (EOS_BUILD_CHECK=off), so a file
 * edited while the suite runs cannot make one test wait for a rebuild.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--if-stale'], { cwd: root, stdio: 'inherit' });
  process.env.EOS_BUILD_CHECK = 'off';
}
