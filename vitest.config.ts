import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // The fault suite has its own command and config (vitest.faults.config.ts).
    exclude: ['tests/faults/**', '**/node_modules/**'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two files at a time: most integration time is waiting on child processes, sockets and timers. On this
    // 2-vCPU machine kind the suite took 450 s this way against ~660 s one file at a time (2026-12-06). Every test
    // has its own key prefix, ports and temp dirs, so files do not share state. The fault suite stays serial.
    maxWorkers: 2,
  },
});
