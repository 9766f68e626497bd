import { useState } from "react";
import { derivedPoolName, type ClusterForm, type PoolRow } from "./cluster-form.ts";

/** The wizard's values and the edits it makes to them. */
export interface ClusterFormState {
  form: ClusterForm;
  /** Changes top-level values; a new cluster name renames the pools not named by hand. */
  change: (change: Partial<Omit<ClusterForm, "pools">>) => void;
  changePool: (key: number, change: Partial<PoolRow>) => void;
  addPool: () => void;
  removePool: (key: number) => void;
}

/** Pools not named by hand follow the cluster's name. */
function renamed(pools: readonly PoolRow[], clusterName: string): PoolRow[] {
  return pools.map((pool, index) => (pool.named ? pool : { ...pool, name: derivedPoolName(clusterName, index) }));
}

/** Holds the wizard's form, starting with one pool of one machine. */
export function useClusterForm(initial: { project: string; version: string }): ClusterFormState {
  const [nextKey, setNextKey] = useState(2);
  const [form, setForm] = useState<ClusterForm>(() => ({
    name: "",
    project: initial.project,
    template: "",
    version: initial.version,
    pools: [{ key: 1, name: derivedPoolName("", 0), replicas: "1", named: false }],
    addons: {},
    exposure: "",
  }));
  return {
    form,
    change: (change) => setForm((f) => {
      const next = { ...f, ...change };
      return change.name === undefined ? next : { ...next, pools: renamed(next.pools, change.name) };
    }),
    changePool: (key, change) => setForm((f) => ({ ...f, pools: f.pools.map((p) => (p.key === key ? { ...p, ...change } : p)) })),
    addPool: () => {
      setForm((f) => ({ ...f, pools: [...f.pools, { key: nextKey, name: derivedPoolName(f.name, f.pools.length), replicas: "1", named: false }] }));
      setNextKey((k) => k + 1);
    },
    removePool: (key) => setForm((f) => ({ ...f, pools: f.pools.filter((p) => p.key !== key) })),
  };
}
