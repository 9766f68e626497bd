import { request } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** What a client loop saw. */
export interface ClientLoopResult {
  readonly ok: number;
  /** Each failed request: when, and why. */
  readonly failures: readonly string[];
}

/**
 * Reads the default namespace of a cluster over and over, each request on
 * a new TCP connection (as separate kubectl runs do), until stopped: what a
 * user's client sees while the control plane changes under it.
 */
export function clientLoop(kc: KubeConfig, pauseMs = 100): { stop(): Promise<ClientLoopResult> } {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  const url = new URL("/api/v1/namespaces/default", cluster?.server);
  const tls = {
    ca: Buffer.from(cluster?.caData ?? "", "base64"),
    cert: Buffer.from(user?.certData ?? "", "base64"),
    key: Buffer.from(user?.keyData ?? "", "base64"),
  };
  const state = { running: true };
  let ok = 0;
  const failures: string[] = [];
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const req = request(url, { ...tls, agent: false, timeout: 10_000 }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) ok++;
          else failures.push(`${new Date().toISOString()} HTTP ${String(res.statusCode)}`);
          resolve();
        });
      });
      req.on("timeout", () => req.destroy(new Error("timed out after 10 s")));
      req.on("error", (error) => {
        failures.push(`${new Date().toISOString()} ${error.message}`);
        resolve();
      });
      req.end();
    });
  const done = (async () => {
    while (state.running) {
      await once();
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    async stop(): Promise<ClientLoopResult> {
      state.running = false;
      await done;
      return { ok, failures };
    },
  };
}
