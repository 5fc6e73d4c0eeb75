import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "workers/**/*.test.ts", "cli/**/*.test.ts", "model/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 60_000,
    // Hooks load models (WASM sessions over HTTP): seconds on a quiet machine, more on a busy one.
    hookTimeout: 120_000,
  },
});
