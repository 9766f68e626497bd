// What a tenant's users keep doing while its control plane changes under
// them, each recording what failed: kubectl run over and over (a new
// process and connection each time), a writer creating ConfigMaps, and a
// watcher that resumes from its last resourceVersion whenever its watch
// ends, as an informer does.
import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, Watch, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { binaryPath } from "@seedbed/binaries";

/** A loop started in the background; stop() ends it and returns what it saw. */
export interface Loop<T> {
  stop(): Promise<T>;
}

/** What the kubectl loop saw. */
export interface KubectlResult {
  readonly ok: number;
  /** Each failed run: when, its exit code and stderr. */
  readonly failures: readonly string[];
}

/**
 * Runs the real kubectl (`kubectl get ns default`) with `kubeconfigFile`
 * over and over until stopped, each run a process of its own.
 */
export function kubectlLoop(kubeconfigFile: string, cacheDir: string, pauseMs = 100): Loop<KubectlResult> {
  const kubectl = binaryPath("kubectl");
  const state = { running: true, ok: 0, failures: [] as string[] };
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const args = ["--kubeconfig", kubeconfigFile, "--cache-dir", cacheDir, "--request-timeout", "10s", "get", "ns", "default", "-o", "name"];
      execFile(kubectl, args, { timeout: 20_000 }, (error, stdout, stderr) => {
        if (error === null && stdout.trim() === "namespace/default") state.ok++;
        else state.failures.push(`${new Date().toISOString()} exit ${String(error?.code ?? 0)}: ${stderr.trim() || stdout.trim()}`);
        resolve();
      });
    });
  const done = (async () => {
    while (state.running) {
      await once();
      await sleep(pauseMs);
    }
  })();
  return {
    async stop() {
      state.running = false;
      await done;
      return { ok: state.ok, failures: state.failures };
    },
  };
}

/** What the writer created, in order, and what failed. */
export interface WriterResult {
  /** Names of the ConfigMaps created, in the order they were. */
  readonly created: readonly string[];
  readonly failures: readonly string[];
}

/** Creates a ConfigMap in `namespace` every `everyMs` (one at a time, each awaited) until stopped. */
export function configMapWriter(kc: KubeConfig, namespace: string, everyMs = 200): Loop<WriterResult> {
  const core = kc.makeApiClient(CoreV1Api);
  const state = { running: true, created: [] as string[], failures: [] as string[] };
  const done = (async () => {
    for (let i = 0; state.running; i++) {
      const name = `write-${String(i).padStart(5, "0")}`;
      try {
        await core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data: { i: String(i) } } });
        state.created.push(name);
      } catch (error) {
        state.failures.push(`${new Date().toISOString()} ${name}: ${(error as Error).message}`);
      }
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      state.running = false;
      await done;
      return { created: state.created, failures: state.failures };
    },
  };
}

/** What the watcher saw. */
export interface WatcherResult {
  /** Each ADDED ConfigMap: its name and resourceVersion, in the order they came. */
  readonly added: readonly { readonly name: string; readonly resourceVersion: number }[];
  /** How often the watch ended and was resumed from the last resourceVersion. */
  readonly resumes: number;
  /** 410 Gone answers (the resourceVersion was too old: an informer would relist). */
  readonly gone: readonly string[];
  /** Watches that could not be started, with why. */
  readonly startFailures: readonly string[];
  /** Running watches that ended with an error (a connection closed by a stopping server): each was resumed. */
  readonly endings: readonly string[];
}

/**
 * Watches the ConfigMaps of `namespace` from `resourceVersion` until
 * stopped; whenever the watch ends, starts it again from the last
 * resourceVersion seen (of an event or a bookmark). Never relists: a 410
 * Gone is recorded, and the watch resumes from the newest version seen.
 */
export function configMapWatcher(kc: KubeConfig, namespace: string, resourceVersion: string): Loop<WatcherResult> {
  const watch = new Watch(kc);
  const state = { running: true, resourceVersion, resumes: -1, added: [] as { name: string; resourceVersion: number }[], gone: [] as string[], startFailures: [] as string[], endings: [] as string[] };
  let current: AbortController | undefined;
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      state.resumes++;
      const onEvent = (phase: string, object: V1ConfigMap & { code?: number; message?: string }): void => {
        if (phase === "ERROR") {
          if (object.code === 410) state.gone.push(`${new Date().toISOString()} from ${state.resourceVersion}: ${object.message ?? ""}`);
          else state.startFailures.push(`${new Date().toISOString()} watch error event: ${object.message ?? JSON.stringify(object)}`);
          return;
        }
        const rv = object.metadata?.resourceVersion;
        if (rv !== undefined) state.resourceVersion = rv;
        if (phase === "ADDED") state.added.push({ name: object.metadata?.name ?? "?", resourceVersion: Number(rv) });
      };
      const onDone = (error: unknown): void => {
        // An HTTP status other than 200, or "fetch failed" (no connection): the watch never started. Anything else ended a running watch, which is resumed.
        const failed = error as { statusCode?: number; message?: string } | null;
        if (failed?.statusCode !== undefined || failed?.message === "fetch failed") state.startFailures.push(`${new Date().toISOString()} ${String(failed.statusCode ?? "")} ${failed.message ?? ""} ${(error as { cause?: Error }).cause?.message ?? ""}`.trim());
        else if (failed !== null) state.endings.push(`${new Date().toISOString()} ${failed.message ?? String(error)}`);
        resolve();
      };
      void watch.watch(`/api/v1/namespaces/${namespace}/configmaps`, { resourceVersion: state.resourceVersion, allowWatchBookmarks: true }, onEvent, onDone).then((controller) => (current = controller));
    });
  const done = (async () => {
    while (state.running) {
      await once();
      // Resumed at once, as an informer's reflector does after a watch ends.
      await sleep(50);
    }
  })();
  return {
    async stop() {
      state.running = false;
      current?.abort();
      await done;
      return { added: state.added, resumes: state.resumes, gone: state.gone, startFailures: state.startFailures, endings: state.endings };
    },
  };
}
