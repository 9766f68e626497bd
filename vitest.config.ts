import { defineConfig } from "vitest/config";

// Unit tests sit beside the code as *.test.ts and touch no server;
// integration tests (*.int.test.ts) start real components through
// @seedbed/testing and get longer time limits; real tests (*.real.test.ts)
// run real nodes and seeds.
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
      {
        // The heavy ones (*.real.test.ts): real nodes — containerd, kubelets,
        // network namespaces, real pods — and the one-machine real seed. They
        // need root and `make node-bins`; one file at a time, so that two
        // real seeds never share the 2 cores. `--project unit --project
        // integration` leaves them out of a quick run.
        test: {
          name: "real",
          include: ["packages/*/test/**/*.real.test.ts", "test/**/*.real.test.ts"],
          exclude: ["**/node_modules/**"],
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 420_000,
        },
      },
    ],
  },
});
