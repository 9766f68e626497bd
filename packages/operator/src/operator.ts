import type { KubeConfig } from "@kubernetes/client-node";
import { clusterId, type Cluster } from "@seedbed/api";
import { LocalDriver, type SupervisorEvent } from "@seedbed/controlplane";
import { Manager, type LeaderElectionConfig } from "@seedbed/runtime";
import type { Logger } from "pino";
import { clusterKindRef, clusterTemplateKindRef, secretKindRef } from "./reconcilers/cluster/kinds.ts";
import { ClusterReconciler } from "./reconcilers/cluster/reconciler.ts";
import type { CertificatePolicy } from "./reconcilers/cluster/secrets.ts";

/** How to run the operator. */
export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Where the local hosting driver keeps each cluster's files. */
  readonly stateDir: string;
  readonly logger?: Logger;
  readonly metricsPort?: number;
  readonly leaderElection?: LeaderElectionConfig;
  /** Only for throw-away platforms (tests): tenant etcds skip fsync. */
  readonly unsafeNoFsync?: boolean;
  /** Name of the Seed this operator hosts control planes for (status.seed). */
  readonly seedName?: string;
  /** Leaf certificate lifetime and renewal window (default 365 and 30 days). */
  readonly certificates?: CertificatePolicy;
  /** Reconciles that may run at once per controller. */
  readonly workers?: number;
}

/** A running operator. */
export interface Operator {
  readonly manager: Manager;
  readonly driver: LocalDriver;
  /** Stops the controllers, then every control plane process (their data stays). */
  stop(): Promise<void>;
}

/** Starts every controller in this process: one reconciler per kind. */
export async function startOperator(options: OperatorOptions): Promise<Operator> {
  const manager = new Manager({ kubeConfig: options.kubeConfig, logger: options.logger, metricsPort: options.metricsPort, leaderElection: options.leaderElection });
  const log = manager.logger.child({ component: "local-driver" });
  // A component that exits makes its cluster's next reconcile come at once
  // (Degraded shows without waiting for the periodic health check).
  let requeue: ((id: string) => void) | undefined;
  const driver = new LocalDriver({
    root: options.stateDir,
    unsafeNoFsync: options.unsafeNoFsync,
    onEvent: (clusterId: string, event: SupervisorEvent) => {
      log.info({ clusterId, ...event }, `Component ${event.name} ${event.type}`);
      if (event.type === "exited") requeue?.(clusterId);
    },
  });
  const clusters = manager.addController({
    name: "cluster",
    kind: clusterKindRef,
    workers: options.workers ?? 4,
    reconciler: new ClusterReconciler({ client: manager.client, driver, events: manager.eventRecorder("cluster"), seedName: options.seedName ?? "local", certificates: options.certificates }),
    owns: [{ kind: secretKindRef }],
    watches: [
      {
        // A template created or changed rebuilds the clusters that name it.
        kind: clusterTemplateKindRef,
        mapFn: (template) =>
          manager.informers
            .informerFor<Cluster>(clusterKindRef)
            .list(template.metadata?.namespace)
            .filter((c) => c.spec.template === template.metadata?.name)
            .map((c) => ({ namespace: c.metadata.namespace, name: c.metadata.name ?? "" })),
      },
    ],
  });
  requeue = (id) => {
    const owner = manager.informers.informerFor<Cluster>(clusterKindRef).list().find((c) => clusterId(c.metadata.namespace ?? "", c.metadata.name ?? "") === id);
    if (owner) clusters.enqueue({ namespace: owner.metadata.namespace, name: owner.metadata.name ?? "" });
  };
  await manager.start();
  return {
    manager,
    driver,
    async stop(): Promise<void> {
      await manager.stop();
      await driver.stopAll();
    },
  };
}
