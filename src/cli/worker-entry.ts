import type { Role } from '../pipeline/service.js';
import { runService } from './commands/start.js';
import { tuneV8 } from '../shared/v8-tuning.js';
import { SetupError } from './context.js';

/** Shared by workers/*.ts: parse `--config DIR`, run one role, exit 0 after a clean drain. */
export async function runWorkerEntry(role: Role): Promise<void> {
  tuneV8();
  const i = process.argv.indexOf('--config');
  const dir = i >= 0 ? process.argv[i + 1] : process.env.NEWSFLOW_CONFIG_DIR;
  try {
    await runService(dir, [role]);
    process.exit(0);
  } catch (err) {
    process.stderr.write(
      `newsflow ${role}: ${err instanceof SetupError ? err.message : String((err as Error).stack)}\n`,
    );
    process.exit(err instanceof SetupError ? 2 : 1);
  }
}
