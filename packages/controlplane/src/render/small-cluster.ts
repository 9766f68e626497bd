/** Flags and Go runtime environment one component gets for a small cluster. */
export interface ComponentTuning {
  readonly flags?: Readonly<Record<string, string | number | boolean>>;
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * What a tenant control plane runs with, so that dozens fit on one machine:
 * less memory and less work while idle. Each setting was measured side by
 * side with the others (`npm run bench -- density --compare seedbed,untuned,…`,
 * variants in bench/density/variants.ts); only those that paid are here.
 *
 * Kept:
 * - GOGC below 100. An idle kube-apiserver holds ~100 MiB of live heap
 *   (two thirds of it its OpenAPI documents), and Go lets the heap grow to
 *   (1 + GOGC/100) × live before collecting: GOGC=30 takes ~60 MiB off each
 *   kube-apiserver at no measurable idle CPU; the others gain less but as
 *   cheaply. etcd gets 50: its heap is small and it should not spend its
 *   time in GC under a burst of writes.
 * - kube-apiserver --watch-cache=false: a cacher per resource (~70) costs
 *   memory and a timer each; without them an idle kube-apiserver uses half
 *   the CPU and 10–25 MiB less. A small cluster's lists and watches are
 *   cheap for etcd to serve directly.
 *
 * Tried and left out (see the report of issue 12): GOMEMLIMIT (at 120 MiB,
 * near the live heap, GC ran all the time: 31 % of a core per tenant; and
 * etcd is never memory-limited), --enable-priority-and-fairness=false and
 * --etcd-count-metric-poll-period=0 (no measurable gain; APF protects the
 * API), etcd --heartbeat-interval=500 (≤ 0.1 % of a core), dropping
 * controllers of kube-controller-manager (only dropping those real workers
 * need — CSR signing, attach/detach, … — saved 10 MiB), and
 * --runtime-config without resource.k8s.io (kube-apiserver never becomes
 * ready: it watches ResourceSlices itself). On top of these settings
 * (`--compare seedbed,seedbed-no-leader-election,seedbed-gogc-20`, 3
 * tenants each): --leader-elect=false for the controller-manager and
 * scheduler saves 0.1 % of a core (left: a rolling replacement would run
 * two at once); GOGC=20 in kube-apiserver saves 11 MiB more (left at 30:
 * a lower GOGC slows its start, which every cluster creation waits for).
 */
export const smallClusterTuning: {
  readonly etcd: ComponentTuning;
  readonly kubeAPIServer: ComponentTuning;
  readonly kubeControllerManager: ComponentTuning;
  readonly kubeScheduler: ComponentTuning;
} = {
  etcd: { env: { GOGC: "50" } },
  kubeAPIServer: { flags: { "watch-cache": false }, env: { GOGC: "30" } },
  kubeControllerManager: { env: { GOGC: "30" } },
  kubeScheduler: { env: { GOGC: "30" } },
};
