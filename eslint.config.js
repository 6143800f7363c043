// ESLint (flat config): typed rules from typescript-eslint on all TypeScript, and the layer rules of
// docs/ARCHITECTURE.md: features never import discord.js, @discordjs/* or the openai SDK; only src/config*.ts
// reads process.env; no import cycles between modules in src/ (import-x/no-cycle; `import type` is ignored).
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const PLATFORM_SDKS = [
  {
    group: ['discord.js', '@discordjs/*'],
    message: 'Features use the ChatSurface port (src/chat/types.ts); discord.js belongs in src/discord/ and src/voice/discord/.',
  },
  {
    group: ['openai', 'openai/*'],
    message:
      'Features use the ChatModel port (src/llm/port.ts); the openai SDK belongs in src/llm/openai*.ts, src/finetune/openai/ and src/voice/stt/openai*.ts.',
  },
];

/** Folders of the feature and core layers (docs/ARCHITECTURE.md). */
const FEATURES = [
  'src/core/**',
  'src/commands/**',
  'src/conversation/**',
  'src/memory/**',
  'src/datasets/**',
  'src/training/**',
  'src/evaluation/**',
  'src/voice/pipeline/**',
  'src/voice/session/**',
  'src/archive/**',
  'src/files/**',
  'src/chat/**',
  'src/state/**',
  'src/charts/**',
  'src/llm/port.ts',
  'src/llm/memory.ts',
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tmp/', 'datasets/', 'archives/', 'dist.tmp-*/', 'dist.old-*/'] },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Unused bindings are errors, except a leading underscore (deliberately unused parameters / rest siblings).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // `void promise` marks a deliberately unawaited promise.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // Callbacks such as `on('x', async () => ...)` are common in event-driven code; floating promises are still caught.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Ports are async by contract; an adapter that happens to answer synchronously is fine.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/config*.ts reads process.env: take the value from AppConfig.' },
      ],
    },
  },
  { files: ['src/config*.ts'], rules: { 'no-restricted-properties': 'off' } },
  { files: FEATURES, rules: { 'no-restricted-imports': ['error', { patterns: PLATFORM_SDKS }] } },
  {
    // Tests and benches may leave promises to the test runner and poke at loosely typed JSON.
    files: ['tests/**/*.ts', 'bench/**/*.ts', 'vitest.config.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // expect(fake.method).toHaveBeenCalled() and friends.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'process',
          'console',
          'Buffer',
          'URL',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'setImmediate',
          'performance',
          'SharedArrayBuffer',
          'Atomics',
        ].map((g) => [g, 'readonly']),
      ),
    },
  },
);
