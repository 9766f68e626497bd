import { flags, type ProcessSpec } from "./process-spec.ts";
import type { ComponentTuning } from "./small-cluster.ts";

/** What a kube-scheduler needs. */
export interface KubeSchedulerRenderInput {
  readonly binary: string;
  readonly kubeconfigFile: string;
  readonly securePort: number;
  /** Where it serves /healthz and /metrics (default 127.0.0.1; 0.0.0.0 in a pod, for the kubelet's probes). */
  readonly bindAddress?: string;
  readonly certDir: string;
  readonly leaderElect: boolean;
  /** Extra flags, e.g. client QPS for a large test seed. */
  readonly extraFlags?: Readonly<Record<string, string | number | boolean>>;
  /** Flags and Go runtime environment for a small cluster (see small-cluster.ts); extra flags win over its flags. */
  readonly tuning?: ComponentTuning;
}

/** Renders kube-scheduler with its default profile. */
export function renderKubeScheduler(input: KubeSchedulerRenderInput): ProcessSpec {
  return {
    name: "kube-scheduler",
    command: input.binary,
    args: flags({
      kubeconfig: input.kubeconfigFile,
      "authentication-kubeconfig": input.kubeconfigFile,
      "authorization-kubeconfig": input.kubeconfigFile,
      "bind-address": input.bindAddress ?? "127.0.0.1",
      "secure-port": input.securePort,
      "cert-dir": input.certDir,
      "leader-elect": input.leaderElect,
      profiling: false,
      ...input.tuning?.flags,
      ...input.extraFlags,
    }),
    ...(input.tuning?.env === undefined ? {} : { env: input.tuning.env }),
  };
}
