import { afterAll, beforeAll, beforeEach } from "vitest";
import { startKubeAPI, type KubeAPI, type KubeAPIOptions } from "./kube-api.ts";

/** The last lines of each log printed for a failed test: enough to see why, short enough to read. */
const logLinesOnFailure = 60;

/**
 * Starts a KubeAPI before the file's tests and stops it after them; when a
 * test fails, the components' logs are printed. Returns a getter, since the
 * instance exists only once beforeAll has run.
 */
export function useKubeAPI(options: KubeAPIOptions = {}, startTimeoutMs = 120_000): () => KubeAPI {
  let api: KubeAPI | undefined;
  beforeAll(async () => {
    api = await startKubeAPI(options);
  }, startTimeoutMs);
  afterAll(async () => {
    await api?.stop();
  }, 60_000);
  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      if (!api) return;
      const tail = api
        .logs()
        .split(/(?====== )/)
        .map((section) => section.trimEnd().split("\n").slice(0, 1).concat(section.trimEnd().split("\n").slice(1).slice(-logLinesOnFailure)).join("\n"))
        .join("\n");
      process.stderr.write(`\n[seedbed/testing] logs of the components (last ${logLinesOnFailure} lines each):\n${tail}\n`);
    });
  });
  return () => {
    if (!api) throw new Error("the KubeAPI is not started yet: call the getter inside a test or a hook, not at file level");
    return api;
  };
}
