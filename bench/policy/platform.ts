// The run's processes and how they are stopped: the management API (CRDs,
// the project namespace), the tenant API servers the agents share, the hub
// and the agent workers; all registered as they start, so that one stop —
// at the end, on an error or on Ctrl-C — takes down whatever was started,
// in reverse order, once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { CoreV1Api } from "@kubernetes/client-node";
import { installCRDs } from "@seedbed/api";
import { startKubeAPI, type KubeAPI } from "@seedbed/testing";
import { stopChild } from "../lib/stop-child.ts";
import { pool } from "../scale/seed-setup.ts";
import type { Worker } from "./children.ts";

/** What has been started, and its stop. */
export class Platform {
  readonly workDir = mkdtempSync(join(tmpdir(), "seedbed-bench-policy-"));
  management: KubeAPI | undefined;
  readonly tenants: KubeAPI[] = [];
  hub: ChildProcess | undefined;
  readonly workers: Worker[] = [];
  readonly #stops: (() => Promise<void>)[] = [];
  #stopped: Promise<number> | undefined;

  /** Registers something to stop (last registered, first stopped). */
  onStop(stop: () => Promise<void>): void {
    this.#stops.push(stop);
  }

  /** The management API with the CRDs and the project namespace; then `tenants` bare API servers, two at a time. */
  async startAPIs(namespace: string, tenants: number, log: (message: string) => void): Promise<void> {
    const management = await startKubeAPI();
    this.management = management;
    this.onStop(() => management.stop());
    const kc = management.kubeConfig();
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    log(`management API up in ${(management.startupMs / 1000).toFixed(1)} s`);
    await pool(tenants, 2, async () => {
      const tenant = await startKubeAPI();
      this.tenants.push(tenant);
      this.onStop(() => tenant.stop());
    });
    log(`${String(tenants)} tenant API server(s) up`);
  }

  /** Throws when the hub or a worker has exited. */
  alive(): void {
    const gone = [this.hub, ...this.workers.map((w) => w.child)].find((c) => c !== undefined && (c.exitCode !== null || c.signalCode !== null));
    if (gone !== undefined) throw new Error(`a child process (pid ${String(gone.pid ?? 0)}) exited with ${String(gone.exitCode ?? gone.signalCode)}; see its log in ${this.workDir}`);
  }

  /** Stops everything in reverse order, once; resolves to the child processes still running after (target 0). */
  stop(): Promise<number> {
    this.#stopped ??= (async () => {
      // Workers first: their agents close their watches before the API servers go.
      await Promise.allSettled(this.workers.map((w) => w.stop()));
      await stopChild(this.hub, 10_000);
      for (const stop of this.#stops.reverse()) await stop().catch(() => undefined);
      const left = [this.hub, ...this.workers.map((w) => w.child)].filter((c) => c !== undefined && c.exitCode === null && c.signalCode === null).length;
      rmSync(this.workDir, { recursive: true, force: true });
      return left;
    })();
    return this.#stopped;
  }
}
