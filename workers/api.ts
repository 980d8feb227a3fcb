// Composition root for the api role: `node dist/workers/api.js [--config DIR]` = `newsflow start --role api`.
import { runWorkerEntry } from '../src/cli/worker-entry.js';

await runWorkerEntry('api');
