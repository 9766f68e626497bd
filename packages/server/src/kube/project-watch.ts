import type { KubeConfig, KubernetesObject } from "@kubernetes/client-node";
import { Informer, type ObjectClient } from "@seedbed/runtime";
import type { Logger } from "pino";
import { clusters, nodePools, projectCollection, projectNamespace, type ProjectResource } from "./resources.ts";

/** A change of one object, as a Kubernetes watch names it. */
export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED";
  readonly object: KubernetesObject;
}

/** What a project watch needs: the caller's credentials and where to report. */
export interface ProjectWatchOptions {
  /** The caller's kubeconfig (their token only) for the watches. */
  readonly kubeConfig: KubeConfig;
  /** A client with the same token for the lists. */
  readonly client: ObjectClient;
  readonly project: string;
  readonly logger: Logger;
}

const kinds: readonly ProjectResource[] = [clusters, nodePools];

/**
 * The Clusters and NodePools of one project as a stream of changes,
 * watched with the caller's own token: the runtime's informer (list, then
 * watch; reconnects from the last resourceVersion and relists when that is
 * too old). Existing objects arrive first as ADDED.
 */
export class ProjectWatch {
  readonly #options: ProjectWatchOptions;
  readonly #informers: Informer[] = [];
  #stopped = false;

  /** A watch that does nothing until `check()` and `run()`. */
  constructor(options: ProjectWatchOptions) {
    this.#options = options;
  }

  /**
   * Lists each kind once with the caller's token and throws the
   * apiserver's refusal (403 with its message, 401), so the caller gets an
   * HTTP error before any stream starts; an informer would retry instead.
   */
  async check(): Promise<void> {
    for (const kind of kinds) {
      await this.#options.client.request("GET", projectCollection(kind, this.#options.project), { query: { limit: 1 } });
    }
  }

  /** Starts the watches; every change goes to `onEvent`. */
  run(onEvent: (event: WatchEvent) => void): void {
    if (this.#stopped) return;
    const { kubeConfig, client, project, logger } = this.#options;
    for (const kind of kinds) {
      const informer = new Informer({ kubeConfig, client, kind, namespace: projectNamespace(project), logger });
      informer.addHandlers({
        add: (object) => onEvent({ type: "ADDED", object }),
        update: (object) => onEvent({ type: "MODIFIED", object }),
        delete: (object) => onEvent({ type: "DELETED", object }),
      });
      informer.start();
      this.#informers.push(informer);
    }
  }

  /** Closes the upstream watches; safe to call twice. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    await Promise.all(this.#informers.map((i) => i.stop()));
  }
}

/** The fields of a watch event's data besides the object itself. */
export interface ObjectSummary {
  readonly kind: string;
  readonly name: string;
  readonly resourceVersion?: string;
  readonly generation?: number;
  readonly observedGeneration?: number;
  readonly phase?: string;
  readonly conditions: readonly unknown[];
  readonly deleting: boolean;
  /** Cluster: the spec's version; NodePool: its cluster and replicas. */
  readonly [detail: string]: unknown;
}

/** A short summary of a Cluster or NodePool for a watch event: what a list or a progress view shows. */
export function summarize(object: KubernetesObject): ObjectSummary {
  const obj = object as KubernetesObject & { spec?: Record<string, unknown>; status?: Record<string, unknown> };
  const status = obj.status ?? {};
  const details: Record<string, unknown> =
    obj.kind === "NodePool"
      ? { clusterName: obj.spec?.clusterName, replicas: obj.spec?.replicas, readyReplicas: status.readyReplicas }
      : { version: status.version ?? obj.spec?.version, endpoint: status.endpoint, nodes: status.nodes };
  return {
    kind: obj.kind ?? "",
    name: obj.metadata?.name ?? "",
    resourceVersion: obj.metadata?.resourceVersion,
    generation: obj.metadata?.generation,
    observedGeneration: status.observedGeneration as number | undefined,
    phase: status.phase as string | undefined,
    conditions: (status.conditions as unknown[] | undefined) ?? [],
    deleting: obj.metadata?.deletionTimestamp !== undefined,
    ...details,
  };
}
