import type { ClusterSync } from "@seedbed/api";
import type { ReconcileRequest } from "@seedbed/runtime";

/**
 * What each ClusterSync last said of each policy (its reference in the
 * spec, its agent's report without the time), to map a ClusterSync event
 * to the policies whose standing on that cluster changed. Why: an agent
 * rewrites its whole status when one policy's entry changes; mapping
 * every event to every policy named would recount, and rewrite the
 * status of, all the cluster's policies for each report during a change.
 */
export class ReportedPolicies {
  readonly #seen = new Map<string, Map<string, string>>();

  /** The policies whose reference or report in `sync` differs from when last seen (all of them the first time). */
  changed(sync: ClusterSync): ReconcileRequest[] {
    const key = syncKey(sync);
    const now = fingerprints(sync);
    const before = this.#seen.get(key);
    this.#seen.set(key, now);
    const changed = [...now].filter(([policy, print]) => before?.get(policy) !== print).map(([policy]) => policy);
    const dropped = [...(before?.keys() ?? [])].filter((policy) => !now.has(policy));
    return [...changed, ...dropped].map(toRequest);
  }

  /** A ClusterSync gone: every policy it named is recounted. */
  forget(sync: ClusterSync): ReconcileRequest[] {
    const key = syncKey(sync);
    const named = new Set([...(this.#seen.get(key)?.keys() ?? []), ...fingerprints(sync).keys()]);
    this.#seen.delete(key);
    return [...named].map(toRequest);
  }
}

function syncKey(sync: ClusterSync): string {
  return `${sync.metadata.namespace ?? ""}/${sync.metadata.name ?? ""}`;
}

/** Per policy (namespace/name): its reference and its report, the report's time left out. */
function fingerprints(sync: ClusterSync): Map<string, string> {
  const prints = new Map<string, string>();
  const add = (namespace: string, name: string, part: string): void => {
    const policy = `${namespace}/${name}`;
    prints.set(policy, `${prints.get(policy) ?? ""}${part}`);
  };
  for (const ref of sync.spec.policies ?? []) add(ref.namespace, ref.name, `ref:${ref.uid}@${String(ref.generation)};`);
  for (const entry of sync.status?.policies ?? []) {
    add(entry.namespace, entry.name, `report:${JSON.stringify({ ...entry, lastSyncTime: undefined })};`);
  }
  return prints;
}

function toRequest(policy: string): ReconcileRequest {
  const slash = policy.indexOf("/");
  return { namespace: policy.slice(0, slash), name: policy.slice(slash + 1) };
}
