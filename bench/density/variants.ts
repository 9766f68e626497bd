// Settings to compare side by side with `density --compare a,b,…`: each
// variant is the renderer's output (what Seedbed runs) with some render
// input or some flags and environment changed. "seedbed" is what the
// platform runs today; "untuned" the renderer without its small-cluster
// settings (what tenants ran before them); the rest add one setting each
// to "untuned", so each is measured alone.
import type { ProcessSpec } from "@seedbed/controlplane";
import type { PlainPlaneOptions } from "../lib/plain-plane.ts";

/** Flags and environment to set (a value of undefined removes the flag) on one component. */
interface ComponentChange {
  readonly flags?: Readonly<Record<string, string | undefined>>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** One set of settings to measure. */
export interface Variant {
  readonly description: string;
  readonly render?: PlainPlaneOptions["render"];
  readonly changes?: Readonly<Record<string, ComponentChange>>;
}

/** Applies a variant's flag and environment changes to a rendered process. */
export function adjustSpec(variant: Variant, spec: ProcessSpec): ProcessSpec {
  const change = variant.changes?.[spec.name];
  if (!change) return spec;
  const names = new Set(Object.keys(change.flags ?? {}));
  const kept = spec.args.filter((arg) => !names.has(arg.slice(2).split("=")[0] ?? ""));
  const added = Object.entries(change.flags ?? {}).flatMap(([flag, value]) => (value === undefined ? [] : [`--${flag}=${value}`]));
  const merged = Object.entries({ ...spec.env, ...change.env }).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return { ...spec, args: [...kept, ...added].sort(), env: Object.fromEntries(merged) };
}

const goGC = (value: string): ComponentChange => ({ env: { GOGC: value } });

/** The untuned renderer with one change: what that one setting does alone. */
const trial = (description: string, changes: Readonly<Record<string, ComponentChange>>): Variant => ({ description, render: { smallCluster: false }, changes });

/** What Seedbed runs with one more change: a candidate to keep. */
const onSeedbed = (description: string, changes: Readonly<Record<string, ComponentChange>>): Variant => ({ description, changes });

/** Dropping every controller of kube-controller-manager a simulated small cluster can do without (real workers need several of them). */
const minimalControllers = [
  "*",
  ...["resourceclaim", "device-taint-eviction", "resourcepoolstatusrequest", "storageversion-garbage-collector", "storage-version-migrator", "horizontal-pod-autoscaler", "ttl", "persistentvolume-attach-detach", "persistentvolume-expander", "ephemeral-volume", "endpointslice-mirroring", "certificatesigningrequest-signing", "certificatesigningrequest-approving", "certificatesigningrequest-cleaner", "kube-apiserver-serving-clustertrustbundle-publisher", "podcertificaterequest-cleaner", "legacy-serviceaccount-token-cleaner", "validatingadmissionpolicy-status", "volumeattributesclass-protection"].map((c) => `-${c}-controller`),
].join(",");
/** Dropping only the DRA and storage-version controllers. */
const keptControllers = ["*", ...["resourceclaim", "device-taint-eviction", "resourcepoolstatusrequest", "storageversion-garbage-collector", "storage-version-migrator"].map((c) => `-${c}-controller`)].join(",");

/** The variants `--compare` knows, by name. */
export const variants: Readonly<Record<string, Variant>> = {
  seedbed: { description: "what the renderer gives tenants (smallClusterTuning)" },
  untuned: { description: "the renderer without smallClusterTuning (what tenants ran before it)", render: { smallCluster: false } },
  "gogc-50": trial("GOGC=50 in every component", { etcd: goGC("50"), "kube-apiserver": goGC("50"), "kube-controller-manager": goGC("50"), "kube-scheduler": goGC("50") }),
  "gogc-30": trial("GOGC=30 in kube-apiserver, kube-controller-manager, kube-scheduler; 50 in etcd", { etcd: goGC("50"), "kube-apiserver": goGC("30"), "kube-controller-manager": goGC("30"), "kube-scheduler": goGC("30") }),
  gomemlimit: trial("GOMEMLIMIT: kube-apiserver 120MiB, kube-controller-manager 40MiB, kube-scheduler 24MiB (never etcd)", {
    "kube-apiserver": { env: { GOMEMLIMIT: "120MiB" } },
    "kube-controller-manager": { env: { GOMEMLIMIT: "40MiB" } },
    "kube-scheduler": { env: { GOMEMLIMIT: "24MiB" } },
  }),
  "watch-cache-off": trial("kube-apiserver --watch-cache=false", { "kube-apiserver": { flags: { "watch-cache": "false" } } }),
  "apf-off": trial("kube-apiserver --enable-priority-and-fairness=false", { "kube-apiserver": { flags: { "enable-priority-and-fairness": "false" } } }),
  "count-poll-off": trial("kube-apiserver --etcd-count-metric-poll-period=0", { "kube-apiserver": { flags: { "etcd-count-metric-poll-period": "0" } } }),
  "no-svm": trial("kube-apiserver --runtime-config=storagemigration.k8s.io/v1=false (without resource.k8s.io/v1 too, /readyz never passes)", { "kube-apiserver": { flags: { "runtime-config": "storagemigration.k8s.io/v1=false" } } }),
  "kcm-minimal": trial("kube-controller-manager without the controllers a simulated small cluster can do without (DRA, storage versions, HPA, TTL, attach-detach, expander, ephemeral volumes, mirroring, CSR, trust bundles, pod certificates)", { "kube-controller-manager": { flags: { controllers: minimalControllers } } }),
  "kcm-kept": trial("kube-controller-manager without the DRA and storage-version controllers", { "kube-controller-manager": { flags: { controllers: keptControllers } } }),
  "seedbed-no-leader-election": onSeedbed("seedbed with --leader-elect=false for kube-controller-manager and kube-scheduler (one supervised copy each on the local driver)", {
    "kube-controller-manager": { flags: { "leader-elect": "false" } },
    "kube-scheduler": { flags: { "leader-elect": "false" } },
  }),
  "seedbed-gogc-20": onSeedbed("seedbed with GOGC=20 in kube-apiserver", { "kube-apiserver": goGC("20") }),
  "etcd-tick-500": trial("etcd --heartbeat-interval=500 --election-timeout=5000", { etcd: { flags: { "heartbeat-interval": "500", "election-timeout": "5000" } } }),
};
