// Lint: TypeScript's recommended rules; the type checker (npm run typecheck) does the rest.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  // plugin-metadata.ts is generated (npm run openapi).
  { ignores: ['dist/**', 'node_modules/**', '.nx/**', 'coverage/**', 'apps/gateway/src/openapi/plugin-metadata.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
);
