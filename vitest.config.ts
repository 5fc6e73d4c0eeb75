import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "workers/**/*.test.ts", "cli/**/*.test.ts", "model/**/*.test.ts", "bench/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
