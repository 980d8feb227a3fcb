/**
 * The architecture docs/ARCHITECTURE.md describes, checked by `npm run lint` (dependency-cruiser):
 * stages never import the composition layers (pipeline, cli), and no import cycle — type-only imports included.
 */
/* global module */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle (type-only imports count): one of the two modules owns the shared concept.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'stage-imports-composition',
      severity: 'error',
      comment:
        'Stages (feeds, fetch, extract, dedupe, store, consumer, config, metrics, api, shared, demo) are composed ' +
        'by src/pipeline and src/cli; they never import them.',
      from: { path: '^src/(api|config|consumer|dedupe|demo|extract|feeds|fetch|metrics|shared|store)/' },
      to: { path: '^src/(pipeline|cli)/' },
    },
    {
      name: 'config-is-a-leaf',
      severity: 'error',
      comment: 'Every stage reads config; config reads no stage (its defaults are written in the schema).',
      from: { path: '^src/config/' },
      to: { path: '^src/(?!config/|shared/)' },
    },
    {
      name: 'dedupe-is-pure',
      severity: 'error',
      comment:
        'Dedupe decides (pure); store persists what it decides: store may import dedupe, never the reverse.',
      from: { path: '^src/dedupe/' },
      to: { path: '^src/store/' },
    },
    {
      name: 'workers-are-thin',
      severity: 'error',
      comment:
        'workers/*.ts are composition roots: they start a role through the CLI entry and nothing else.',
      from: { path: '^workers/' },
      to: { path: '^src/(?!cli/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
