import { flags, type ProcessSpec } from "./process-spec.ts";
import type { ComponentTuning } from "./small-cluster.ts";

/** Where one etcd member listens and how it finds its peers; a single loopback member by default. */
export interface EtcdMembership {
  /** The member's name (default "default"); may be "$(POD_NAME)" in a pod. */
  readonly name: string;
  /** Address to listen on (0.0.0.0 in a pod). */
  readonly listenHost: string;
  /** Host other members and clients reach this member at. */
  readonly advertiseHost: string;
  /** name=peerURL pairs of every member. */
  readonly initialCluster: string;
  /** Serves /livez and /readyz over plain HTTP here, for probes (e.g. http://0.0.0.0:2381). */
  readonly metricsURL?: string;
  /**
   * "existing" for a member added to a running cluster (MemberAddAsLearner
   * first; initialCluster then lists the current members and this one).
   * etcd reads it only with an empty data directory. Default "new".
   */
  readonly initialClusterState?: "new" | "existing";
}

/** What an etcd member with mutual TLS needs. */
export interface EtcdRenderInput {
  readonly binary: string;
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
  readonly pki: {
    readonly caFile: string;
    readonly serverCertFile: string;
    readonly serverKeyFile: string;
    readonly peerCertFile: string;
    readonly peerKeyFile: string;
  };
  /** Skips fsync: only for throw-away test instances, where it makes start-up and writes much faster. */
  readonly unsafeNoFsync?: boolean;
  /** Backend quota; etcd refuses writes beyond it instead of exhausting the disk. */
  readonly quotaBackendBytes?: number;
  /** Members of a cluster of several; a single loopback member when absent. */
  readonly membership?: EtcdMembership;
  /** Flags and Go runtime environment for a small cluster (see small-cluster.ts); extra flags win over its flags. */
  readonly tuning?: ComponentTuning;
}

const eightGiB = 8 * 1024 ** 3;

/** Renders an etcd member (one on loopback by default), clients and peers authenticated by certificate. */
export function renderEtcd(input: EtcdRenderInput): ProcessSpec {
  const m = input.membership;
  const listen = m?.listenHost ?? "127.0.0.1";
  const advertise = m?.advertiseHost ?? "127.0.0.1";
  const name = m?.name ?? "default";
  return {
    name: "etcd",
    command: input.binary,
    args: flags({
      name,
      "data-dir": input.dataDir,
      "listen-client-urls": `https://${listen}:${input.clientPort}`,
      "advertise-client-urls": `https://${advertise}:${input.clientPort}`,
      "listen-peer-urls": `https://${listen}:${input.peerPort}`,
      "initial-advertise-peer-urls": `https://${advertise}:${input.peerPort}`,
      "initial-cluster": m?.initialCluster ?? `${name}=https://${advertise}:${input.peerPort}`,
      "listen-metrics-urls": m?.metricsURL,
      "initial-cluster-state": m?.initialClusterState ?? "new",
      "cert-file": input.pki.serverCertFile,
      "key-file": input.pki.serverKeyFile,
      "trusted-ca-file": input.pki.caFile,
      "client-cert-auth": true,
      "peer-cert-file": input.pki.peerCertFile,
      "peer-key-file": input.pki.peerKeyFile,
      "peer-trusted-ca-file": input.pki.caFile,
      "peer-client-cert-auth": true,
      "quota-backend-bytes": input.quotaBackendBytes ?? eightGiB,
      // kube-apiserver compacts every 5 minutes itself; this also bounds
      // history when etcd is used without it.
      "auto-compaction-mode": "periodic",
      "auto-compaction-retention": "10m",
      "unsafe-no-fsync": input.unsafeNoFsync === true ? true : undefined,
      "log-level": "warn",
      ...input.tuning?.flags,
    }),
    ...(input.tuning?.env === undefined ? {} : { env: input.tuning.env }),
  };
}
