import type { ObjectClient } from "@seedbed/runtime";
import { isConflict, isNotFound } from "@seedbed/runtime";
import { nodeLabels } from "../bootstrap/kubelet.ts";
import { machineLabels, type Machine, type MachineProvider, type MachineRequest, type PoolRef } from "../provider.ts";

/** The annotation kwok's --manage-nodes-with-annotation-selector matches. */
export const kwokManagedAnnotation = "kwok.x-k8s.io/node";

interface NodeObject {
  metadata?: { name?: string; creationTimestamp?: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec?: { providerID?: string };
}

/**
 * Simulated machines: each one is a Node in the tenant cluster, annotated so
 * that the cluster's kwok controller runs it (Ready, heartbeats, pods
 * started). The Node is created with the capacity of the machine template,
 * so the tenant's own kube-scheduler places pods on it as it would on a
 * real machine of that size. The bootstrap data is made and ignored.
 */
export class KwokProvider implements MachineProvider {
  readonly type = "kwok";
  readonly #tenant: ObjectClient;
  readonly #nodes: (() => readonly NodeObject[]) | undefined;

  /**
   * `tenant` talks to the tenant cluster's API; `nodes`, when given, lists
   * its Nodes from a cache, so listing a pool costs no request.
   */
  constructor(tenant: ObjectClient, nodes?: () => readonly object[]) {
    this.#tenant = tenant;
    this.#nodes = nodes;
  }

  async create(request: MachineRequest): Promise<Machine> {
    const { template, pool } = request;
    const resources = { cpu: String(template.cpu), memory: String(template.memory), pods: String(template.pods) };
    const node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: request.name,
        labels: { ...nodeLabels(template, pool.name, pool.clusterId), "kubernetes.io/hostname": request.name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", type: "kwok" },
        annotations: { [kwokManagedAnnotation]: "fake", "seedbed.dev/kubelet-version": request.kubernetesVersion },
      },
      spec: { providerID: providerID(pool, request.name), taints: (template.taints ?? []).map((t) => ({ ...t })) },
      // A kubelet registers its Node with its capacity; kwok keeps what it finds.
      status: { capacity: resources, allocatable: resources, nodeInfo: { kubeletVersion: `v${request.kubernetesVersion}` } },
    };
    try {
      return toMachine(await this.#tenant.request<NodeObject>("POST", "/api/v1/nodes", { body: node }));
    } catch (error) {
      if (!isConflict(error)) throw error;
      // Made by an earlier attempt: the same machine.
      return toMachine(await this.#tenant.request<NodeObject>("GET", `/api/v1/nodes/${request.name}`));
    }
  }

  async delete(_pool: PoolRef, machine: Machine): Promise<void> {
    try {
      await this.#tenant.request("DELETE", `/api/v1/nodes/${machine.name}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async list(pool: PoolRef): Promise<Machine[]> {
    if (this.#nodes) return this.#nodes().filter((n) => n.metadata?.labels?.[machineLabels.pool] === pool.name && n.metadata.labels[machineLabels.clusterId] === pool.clusterId).map(toMachine);
    const selector = `${machineLabels.pool}=${pool.name},${machineLabels.clusterId}=${pool.clusterId}`;
    const list = await this.#tenant.request<{ items: NodeObject[] }>("GET", `/api/v1/nodes?labelSelector=${encodeURIComponent(selector)}`);
    return list.items.map(toMachine);
  }
}

function providerID(pool: PoolRef, name: string): string {
  return `kwok://${pool.clusterId}/${name}`;
}

function toMachine(node: NodeObject): Machine {
  const name = node.metadata?.name ?? "";
  return {
    name,
    nodeName: name,
    providerID: node.spec?.providerID ?? "",
    phase: node.metadata?.deletionTimestamp === undefined ? "Running" : "Deleting",
    createdAt: node.metadata?.creationTimestamp ?? "",
  };
}
