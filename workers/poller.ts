// Composition root for the poller role: `node dist/workers/poller.js [--config DIR]` = `newsflow start --role poller`.
import { runWorkerEntry } from '../src/cli/worker-entry.js';

await runWorkerEntry('poller');
