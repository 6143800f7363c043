/**
 * Discord's OpenAPI contract on the generic checker of tests/contracts/: the spec path, Discord's string formats and
 * the one place where live Discord and its spec disagree.
 */
import { fileURLToPath } from 'node:url';
import { OpenApiContract } from '../contracts/openapi-contract.js';
import type { Formats } from '../contracts/openapi.js';

export { OpenApiContract } from '../contracts/openapi-contract.js';

export const DISCORD_SPEC_PATH = fileURLToPath(new URL('../../../shared/contracts/discord-openapi.json', import.meta.url));

/** Custom formats of Discord's spec: snowflake ids (decimal strings) and nonces (anything). */
export const DISCORD_FORMATS: Formats = { snowflake: /^(0|[1-9][0-9]*)$/, nonce: true };

/** Discord's OpenAPI contract with its custom formats. Share one per test file: schemas compile on first use. */
export function createDiscordContract(specPath = DISCORD_SPEC_PATH): OpenApiContract {
  return OpenApiContract.fromFile(specPath, { formats: DISCORD_FORMATS });
}

/**
 * Known spec gap: live Discord puts string codes ("BASE_TYPE_MAX_LENGTH") in Invalid Form Body `_errors`, the spec
 * says integer. The emulator answers like live Discord and validates a copy with those codes replaced by 0.
 */
export function specShaped(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(specShaped);
  if (!body || typeof body !== 'object') return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) {
    out[k] = k === '_errors' && Array.isArray(v) ? v.map((e: Record<string, unknown>) => ({ ...e, code: 0 })) : specShaped(v);
  }
  return out;
}
