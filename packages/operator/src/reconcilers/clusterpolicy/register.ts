import type { Cluster, ClusterPolicy, ClusterSync, Project } from "@seedbed/api";
import type { Clock, Informer, Manager, ReconcileRequest } from "@seedbed/runtime";
import { clusterKindRef } from "../cluster/kinds.ts";
import { projectKindRef } from "../project/kinds.ts";
import { projectNamespace } from "../project/render.ts";
import { PolicyStateMemory } from "./events.ts";
import { clusterPolicyKindRef, clusterSyncKindRef } from "./kinds.ts";
import { PolicyMetrics } from "./metrics.ts";
import { ReportedPolicies } from "./reported.ts";
import { PolicyChanges } from "./policy-changes.ts";
import { PolicySyncIndex } from "./sync-index.ts";
import { ClusterSyncReconciler } from "./sync-reconciler.ts";
import { PolicyStatusReconciler } from "./status-reconciler.ts";

/** What the ClusterPolicy controllers share with the others. */
export interface ClusterPolicySetup {
  readonly clusters: Informer<Cluster>;
  readonly projects: Informer<Project>;
  readonly clock?: Clock;
}

/**
 * Adds the hub side of policy sync: each Cluster's ClusterSync (the
 * policies that select it) and each ClusterPolicy's status (counts and the
 * worst offenders, from the ClusterSyncs its agents report to).
 */
export function registerClusterPolicies(manager: Manager, setup: ClusterPolicySetup): void {
  const policies = manager.informers.informerFor<ClusterPolicy>(clusterPolicyKindRef);
  const syncs = manager.informers.informerFor<ClusterSync>(clusterSyncKindRef);
  const index = new PolicySyncIndex();
  index.follow(syncs);
  const project = (name: string): Project | undefined => setup.projects.get(undefined, name);
  const labels = new ProjectLabels();
  const metrics = new PolicyMetrics(manager.metrics.registry);

  const clusterSyncs = manager.addController({
    name: "clustersync",
    kind: clusterKindRef,
    // One small apply per cluster, waiting on the API server, not on CPU: a policy change
    // reaching hundreds of clusters goes as fast as the API server takes the writes.
    workers: 16,
    reconciler: new ClusterSyncReconciler({
      client: manager.client,
      cluster: (namespace, name) => setup.clusters.get(namespace, name),
      policies: (namespace) => policies.list(namespace),
      project,
      sync: (namespace, name) => syncs.get(namespace, name),
      metrics,
    }),
    // A ClusterSync changed or deleted by anyone brings its Cluster back; this also closes the gap
    // between our write and the index seeing it (a policy changed meanwhile is judged again).
    owns: [{ kind: clusterSyncKindRef }],
    watches: [
      // Policy events are mapped by PolicyChanges (below); this watch makes the workers wait for the
      // policy cache, so that no pass at start-up takes an empty cache for "no policies" and empties lists.
      { kind: clusterPolicyKindRef, mapFn: () => [] },
      // Only a change of a Project's labels matters (platform policies' projectSelector).
      { kind: projectKindRef, mapFn: (obj) => (labels.changed(obj as Project) ? setup.clusters.list(projectNamespace(obj.metadata?.name ?? "")).map(keyOf) : []) },
    ],
  });

  // Policies gained, changed or lost (see policy-changes.ts).
  new PolicyChanges({ clusters: setup.clusters, project, clustersOf: (uid) => index.clustersOf(uid), enqueue: (c) => clusterSyncs.enqueue(c) }).follow(policies);

  // A ClusterSync event recounts the policies whose reference or report in it changed; one gone from the cache, all it named.
  const reported = new ReportedPolicies();
  const policiesToRecount = (sync: ClusterSync): ReconcileRequest[] =>
    syncs.get(sync.metadata.namespace, sync.metadata.name ?? "") === undefined ? reported.forget(sync) : reported.changed(sync);
  manager.addController({
    name: "clusterpolicy-status",
    kind: clusterPolicyKindRef,
    workers: 2,
    reconciler: new PolicyStatusReconciler({
      client: manager.client,
      policy: (namespace, name) => policies.get(namespace, name),
      clustersOf: (uid) => index.clustersOf(uid),
      sync: (namespace, name) => syncs.get(namespace, name),
      cluster: (namespace, name) => setup.clusters.get(namespace, name),
      memory: new PolicyStateMemory(),
      metrics,
      events: manager.eventRecorder("clusterpolicy"),
      clock: setup.clock,
    }),
    // A ClusterSync brings back the policies it lists and those its agent still reports on.
    watches: [{ kind: clusterSyncKindRef, mapFn: (obj) => policiesToRecount(obj as ClusterSync) }],
  });
}

function keyOf(cluster: Cluster): ReconcileRequest {
  return { namespace: cluster.metadata.namespace, name: cluster.metadata.name ?? "" };
}


/** The labels each Project last had, to tell a relabelling from the Project's other updates. */
class ProjectLabels {
  readonly #seen = new Map<string, string>();

  /** Whether `project`'s labels differ from when last seen (a Project seen first, or deleted, counts as changed). */
  changed(project: Project): boolean {
    const name = project.metadata.name ?? "";
    if (project.metadata.deletionTimestamp !== undefined) {
      this.#seen.delete(name);
      return true;
    }
    const now = JSON.stringify(Object.entries(project.metadata.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
    const before = this.#seen.get(name);
    this.#seen.set(name, now);
    return before !== now;
  }
}
