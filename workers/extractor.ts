// Composition root for the extractor role: `node dist/workers/extractor.js [--config DIR]` = `newsflow start --role extractor`.
import { runWorkerEntry } from '../src/cli/worker-entry.js';

await runWorkerEntry('extractor');
