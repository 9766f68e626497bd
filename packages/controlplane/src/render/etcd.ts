import { flags, type ProcessSpec } from "./process-spec.ts";

/** What a single-member etcd with mutual TLS needs. */
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
}

const eightGiB = 8 * 1024 ** 3;

/** Renders a one-member etcd listening on loopback, clients and peers authenticated by certificate. */
export function renderEtcd(input: EtcdRenderInput): ProcessSpec {
  const client = `https://127.0.0.1:${input.clientPort}`;
  const peer = `https://127.0.0.1:${input.peerPort}`;
  return {
    name: "etcd",
    command: input.binary,
    args: flags({
      name: "default",
      "data-dir": input.dataDir,
      "listen-client-urls": client,
      "advertise-client-urls": client,
      "listen-peer-urls": peer,
      "initial-advertise-peer-urls": peer,
      "initial-cluster": `default=${peer}`,
      "initial-cluster-state": "new",
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
    }),
  };
}
