// Lint: TypeScript's recommended rules, the type-aware promise rules (a promise is awaited, or
// `void`ed where fire-and-forget is meant and its errors are handled), and Nx's module
// boundaries from the project tags (project.json): apps and tools import only libs, libs only
// libs, test code only libs; across projects only through `@connector/*`, never a relative path.
const js = require('@eslint/js');
const nx = require('@nx/eslint-plugin');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  // plugin-metadata.ts and the console's schema.d.ts are generated (npm run openapi).
  { ignores: ['dist/**', 'node_modules/**', '.nx/**', 'coverage/**', '**/*.js', 'apps/gateway/src/openapi/plugin-metadata.ts', 'apps/console/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', 'apps/console/**/*.tsx'],
    languageOptions: {
      // The nearest tsconfig.json (the root one, which holds the tests too; the console's own) types each file.
      parserOptions: { projectService: true, tsconfigRootDir: __dirname },
    },
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-unsafe-function-type': 'off',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          banTransitiveDependencies: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib'] },
          ],
        },
      ],
    },
  },
);
