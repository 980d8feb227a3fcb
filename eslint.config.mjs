import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'tests/fixtures/**', 'examples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
      curly: ['error', 'multi-line'],
    },
  },
  {
    // One place for key names and one way to run Lua (docs/ARCHITECTURE.md).
    files: ['src/**/*.ts'],
    ignores: ['src/store/keys.ts', 'src/store/scripts.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Literal[value=/\\{stories\\}/], TemplateElement[value.raw=/\\{stories\\}/]',
          message: 'Story keys are built only in src/store/keys.ts; take them from Keys.',
        },
        {
          selector:
            'TemplateLiteral[quasis.0.value.raw=""][expressions.0.property.name=/^(prefix|bullPrefix)$/]' +
            ':matches([expressions.0.object.name="keys"], [expressions.0.object.property.name="keys"])',
          message: 'Redis key names are built only in src/store/keys.ts: add a builder there.',
        },
        {
          // Lua scripts are files under src/store/lua, run one way (runScript): no inline script strings.
          selector: 'CallExpression[callee.property.name=/^(eval|evalsha|defineCommand)$/]',
          message:
            'Put the script in src/store/lua/<name>-<numKeys>.lua and call it with runScript (store/scripts.ts).',
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
