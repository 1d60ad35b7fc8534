// Strict, type-aware lint: no floating promises anywhere, and workflow code kept deterministic.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      '.stack/**',
      'bench/results/**',
      'test-results/**',
      'workflow-bundle.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's describe/it return promises the runner itself tracks.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      // Fastify plugins and handlers are async by contract, awaiting or not.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through src/config.ts only.',
        },
      ],
    },
  },
  {
    files: ['src/config.ts', 'scripts/**', 'test/**', 'bench/**', 'chaos/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // Stripe lives in one folder, behind our provider interface (src/contracts/payment-provider.ts).
    files: ['src/**/*.ts'],
    ignores: ['src/stripe/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'stripe', message: 'Only src/stripe/ speaks to Stripe; use its interface.' }] },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no clients, no I/O.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net'],
              message: 'No Node built-ins in workflows.',
            },
            {
              group: ['stripe', 'kafkajs', 'fastify', '../clients/*', '../api/*', '../stripe/*', '../config'],
              message: 'Workflows do no I/O.',
            },
            {
              group: ['../activities', '../activities/*'],
              message: 'Import activities with `import type` only.',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
