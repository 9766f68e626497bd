import { defineConfig } from "vitest/config";

// Unit tests sit beside the code as *.test.ts and touch no server;
// integration tests (*.int.test.ts) start real components through
// @seedbed/testing and get longer time limits.
export default defineConfig({
  test: {
    // Each integration file starts its own servers; two at a time suit 2 cores.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "tools/**/*.test.ts", "bench/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["packages/*/{src,test}/**/*.int.test.ts", "test/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
