#!/usr/bin/env node
/**
 * `npm start`: compiles src/ first when it is newer than dist/ (scripts/build.mjs --if-stale, checked in this
 * process rather than in a prestart step, which cost a second node start), then runs the bot (dist/main.js) in this
 * same process. Operators who build themselves can run `node dist/main.js` directly (no npm process beside it).
 */
import { ensureBuilt } from './build.mjs';

ensureBuilt({ ifStale: true });
await import('../dist/main.js');
