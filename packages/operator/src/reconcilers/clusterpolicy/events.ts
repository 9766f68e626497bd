import type { PolicyClusterState } from "@seedbed/api";
import type { ClusterPolicyState } from "./status.ts";

/** An Event owed to a Cluster because a policy's state there changed. */
export interface PolicyTransition {
  readonly namespace: string;
  readonly name: string;
  readonly type: "Normal" | "Warning";
  readonly reason: "PolicyFailed" | "PolicyConflicted" | "PolicyInSync";
  readonly note: string;
}

interface Remembered {
  uid: string;
  states: Map<string, PolicyClusterState>;
}

const troubled = (state: PolicyClusterState | undefined): boolean => state === "Failed" || state === "Conflicted";

/**
 * The last state seen of each policy on each of its clusters, in memory,
 * so that an Event marks a change (Failed or Conflicted reached, InSync
 * again after one) and not every pass. A restarted operator has forgotten:
 * it reports a state still Failed once more, which is the price of keeping
 * this out of the API.
 */
export class PolicyStateMemory {
  readonly #policies = new Map<string, Remembered>();

  /**
   * The Events owed for the policy `namespace/name` of `uid` now that its
   * clusters stand as `clusters`; remembers them (clusters no longer
   * listed are forgotten, a policy recreated under the name starts over).
   */
  transitions(policy: { readonly namespace: string; readonly name: string; readonly uid: string }, clusters: readonly ClusterPolicyState[]): PolicyTransition[] {
    const key = `${policy.namespace}/${policy.name}`;
    const before = this.#policies.get(key);
    const old = before?.uid === policy.uid ? before.states : new Map<string, PolicyClusterState>();
    const states = new Map<string, PolicyClusterState>();
    const owed: PolicyTransition[] = [];
    for (const cluster of clusters) {
      const clusterKey = `${cluster.namespace}/${cluster.name}`;
      const was = old.get(clusterKey);
      states.set(clusterKey, cluster.state);
      if (troubled(cluster.state) && was !== cluster.state) {
        owed.push({ namespace: cluster.namespace, name: cluster.name, type: "Warning", reason: cluster.state === "Failed" ? "PolicyFailed" : "PolicyConflicted", note: `policy ${key} is ${cluster.state}: ${cluster.message ?? "no detail reported"}` });
      } else if (cluster.state === "InSync" && troubled(was)) {
        owed.push({ namespace: cluster.namespace, name: cluster.name, type: "Normal", reason: "PolicyInSync", note: `policy ${key} is in sync again` });
      }
    }
    this.#policies.set(key, { uid: policy.uid, states });
    return owed;
  }

  /** Forgets a deleted policy. */
  forget(namespace: string, name: string): void {
    this.#policies.delete(`${namespace}/${name}`);
  }
}
