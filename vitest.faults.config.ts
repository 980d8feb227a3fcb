import { defineConfig } from 'vitest/config';

/** `npm run test:faults`: the fault suite (tests/faults), one scenario file at a time, each bounded in time. */
export default defineConfig({
  test: {
    include: ['tests/faults/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
