// One round's platform: a fresh management API (the harness's real etcd,
// kube-apiserver and controllers), the CRDs, the project namespace, the
// default local Seed with a one-member shared etcd, and the operator in a
// child process (operator.ts) serving /metrics; stopped and removed as a
// whole, whatever state it was left in.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { apiVersion, installCRDs, type Seed } from "@seedbed/api";
import { findProcessesByMarker, reservePorts, type PortReservation } from "@seedbed/controlplane";
import { startKubeAPI, type KubeAPI } from "@seedbed/testing";
import { stopChild } from "../lib/stop-child.ts";

/** The Seed every cluster of the benchmark lands on (the default). */
export const seedName = "local";
const group = { group: "seedbed.dev", version: "v1alpha1" } as const;

/** What a round's platform is started with. */
export interface PlatformOptions {
  /** The project namespace the clusters go into. */
  readonly namespace: string;
  readonly operatorLogLevel: string;
  /** Bounds the operator's start and the shared etcd's. */
  readonly timeoutMs: number;
  readonly log: (message: string) => void;
}

/** A running platform. */
export interface Platform {
  /** The management API as its admin. */
  readonly kc: KubeConfig;
  /** The operator's state directory (the local driver marks its processes with it). */
  readonly stateDir: string;
  /** The operator's /metrics. */
  readonly metricsURL: string;
  readonly operatorPid: number;
  /** Throws, with the operator's last log lines, when the operator has exited. */
  alive(): void;
  /** The operator's last log lines, shortened to who said what. */
  operatorLogTail(): string;
  /** Copies the operator's log out of the temporary directory (before stop removes it); returns where to. */
  keepOperatorLog(): string;
  /** Stops the operator, kills any process the state directory still marks, stops the management API and removes every temporary directory; once. Resolves to the processes left (should be 0). */
  stop(): Promise<number>;
}

/** Sends SIGKILL to each process (and the group it leads) that a marker prefix names; returns how many there were. */
function killMarked(prefix: string): number {
  const pids = findProcessesByMarker(prefix, { prefix: true });
  for (const pid of pids) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // Not a group leader, or gone already.
      }
    }
  }
  return pids.length;
}

/** The last lines of a pino log, shortened to who said what. */
function logTail(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "(no operator log)";
  }
  return text.trimEnd().split("\n").slice(-15).map((line) => {
    try {
      const entry = JSON.parse(line) as { controller?: string; object?: string; msg?: string; error?: string; err?: { message?: string } };
      return `${entry.controller ?? ""} ${entry.object ?? ""}: ${entry.msg ?? ""} ${entry.error ?? entry.err?.message ?? ""}`;
    } catch {
      return line;
    }
  }).join("\n");
}

/** Polls `check` every second until it holds; throws naming `what` after `timeoutMs`. */
async function waitUntil(what: string, timeoutMs: number, check: () => Promise<boolean>, alive: () => void = () => undefined): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    alive();
    if (performance.now() > deadline) throw new Error(`${what}: not within ${String(timeoutMs / 1000)} s`);
    await sleep(1000);
  }
}

/** Starts a round's platform; on failure, what was started is stopped before the error is thrown. */
export async function startPlatform(o: PlatformOptions): Promise<Platform> {
  const workDir = mkdtempSync(join(tmpdir(), "seedbed-bench-addons-"));
  const stateDir = join(workDir, "state");
  const operatorLog = join(workDir, "operator.log");
  const started: { api?: KubeAPI; port?: PortReservation; operator?: ChildProcess } = {};
  let stopped: Promise<number> | undefined;
  const stop = (): Promise<number> =>
    (stopped ??= (async () => {
      // The operator stops its control planes and the shared etcd (within 20 s, else it is killed); whatever is left is killed.
      await stopChild(started.operator);
      killMarked(`seedbed:${stateDir}`);
      started.port?.release();
      await started.api?.stop();
      rmSync(workDir, { recursive: true, force: true });
      await sleep(200);
      return findProcessesByMarker(`seedbed:${stateDir}`, { prefix: true }).length;
    })());
  const alive = (): void => {
    const code = started.operator?.exitCode ?? null;
    if (code !== null) throw new Error(`the operator exited with ${String(code)}:\n${logTail(operatorLog)}`);
  };
  try {
    started.api = await startKubeAPI({ controllers: true });
    const kc = started.api.kubeConfig();
    await installCRDs(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: o.namespace } } });
    const objects = kc.makeApiClient(CustomObjectsApi);
    await objects.createClusterCustomObject({ ...group, plural: "seeds", body: { apiVersion, kind: "Seed", metadata: { name: seedName }, spec: { driver: "local", default: true, sharedDatastore: { members: 1 } } } });
    started.port = await reservePorts(1);
    const metricsPort = started.port.ports[0] ?? 0;
    const out = openSync(operatorLog, "a");
    started.operator = spawn(process.execPath, [new URL("./operator.ts", import.meta.url).pathname], {
      stdio: ["ignore", out, out],
      env: { ...process.env, ADDONS_KUBECONFIG: started.api.kubeconfigPath, ADDONS_STATE_DIR: stateDir, ADDONS_METRICS_PORT: String(metricsPort), ADDONS_LOG_LEVEL: o.operatorLogLevel },
    });
    const base = `http://127.0.0.1:${String(metricsPort)}`;
    await waitUntil("the operator ready (/readyz)", o.timeoutMs, async () => (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) })).status === 200, alive);
    await waitUntil(`the shared etcd of Seed ${seedName} ready`, o.timeoutMs, async () => ((await objects.getClusterCustomObject({ ...group, plural: "seeds", name: seedName })) as Seed).status?.sharedDatastore?.ready === true, alive);
    o.log(`management API up in ${(started.api.startupMs / 1000).toFixed(1)} s; operator pid ${String(started.operator.pid ?? 0)} ready; shared etcd ready`);
    return {
      kc,
      stateDir,
      metricsURL: `${base}/metrics`,
      operatorPid: started.operator.pid ?? 0,
      alive,
      operatorLogTail: () => logTail(operatorLog),
      keepOperatorLog: () => {
        const kept = join(tmpdir(), `seedbed-bench-addons-${String(process.pid)}-operator.log`);
        try {
          copyFileSync(operatorLog, kept);
          return kept;
        } catch {
          return "(nowhere: no operator log)";
        }
      },
      stop,
    };
  } catch (error) {
    o.log(`operator log (last lines):\n${logTail(operatorLog)}`);
    await stop();
    throw error;
  }
}
