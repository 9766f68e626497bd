import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import { buildKubeconfig } from "@seedbed/pki";
import { pkiFiles } from "../pki-layout.ts";
import type { ControlPlaneLayout } from "../render/control-plane.ts";
import { kwokStages } from "../render/kwok-stages.ts";
import type { ProbeTLS } from "./readiness.ts";

/** What a control plane directory on this machine is written from. */
export interface LocalLayoutInput {
  readonly dir: string;
  /** Names the cluster in the kubeconfigs. */
  readonly clusterName: string;
  /** https://127.0.0.1:port of its kube-apiserver. */
  readonly server: string;
  /** File name → PEM (see pkiFileNames). */
  readonly pki: ReadonlyMap<string, string>;
  readonly version: string;
  /** The controllers' version while an upgrade rolls kube-apiserver first (default: version). */
  readonly controllersVersion?: string;
  readonly kwok: boolean;
}

/** The files of a local control plane, and what its callers need besides. */
export interface LocalLayout {
  readonly layout: ControlPlaneLayout;
  /** The admin kubeconfig, as YAML (also written to `layout.adminKubeconfig`). */
  readonly adminKubeconfig: string;
  readonly adminTLS: ProbeTLS;
}

/**
 * Writes a control plane's directory — PEM files, the admin, controller
 * and scheduler kubeconfigs, work directories, kwok's stages — touching
 * only files whose content changed, and returns its layout. One writer for
 * `seedbed up`, the test harness and the local hosting driver.
 */
export function writeLocalLayout(input: LocalLayoutInput): LocalLayout {
  const { dir } = input;
  const pkiDir = join(dir, "pki");
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  for (const [file, pem] of input.pki) writeIfChanged(join(pkiDir, file), pem);
  const pem = (file: string): string => input.pki.get(file) ?? "";
  const kubeconfigYAML = (user: string, cert: string, key: string): string =>
    buildKubeconfig({ clusterName: input.clusterName, server: input.server, certificateAuthorityPem: pem("ca-bundle.crt"), userName: user, clientCertificatePem: pem(cert), clientKeyPem: pem(key) });
  const workDir = (component: string): string => {
    const path = join(dir, "work", component);
    mkdirSync(path, { recursive: true, mode: 0o700 });
    return path;
  };
  const adminKubeconfig = kubeconfigYAML("admin", "admin.crt", "admin.key");
  const kwokStagesFile = join(workDir("kwok"), "stages.yaml");
  if (input.kwok) writeIfChanged(kwokStagesFile, kwokStages);
  const kubernetesVersion = input.version;
  return {
    layout: {
      pki: pkiFiles(pkiDir),
      etcdDataDir: join(dir, "etcd"),
      adminKubeconfig: writeIfChanged(join(dir, "admin.kubeconfig"), adminKubeconfig),
      controllerManagerKubeconfig: writeIfChanged(join(dir, "controller-manager.kubeconfig"), kubeconfigYAML("system:kube-controller-manager", "controller-manager.crt", "controller-manager.key")),
      schedulerKubeconfig: writeIfChanged(join(dir, "scheduler.kubeconfig"), kubeconfigYAML("system:kube-scheduler", "scheduler.crt", "scheduler.key")),
      workDir,
      kwokStagesFile,
      binaries: {
        etcd: binaryPath("etcd"),
        kubeAPIServer: binaryPath("kube-apiserver", { kubernetesVersion }),
        kubeControllerManager: binaryPath("kube-controller-manager", { kubernetesVersion: input.controllersVersion ?? kubernetesVersion }),
        kubeScheduler: binaryPath("kube-scheduler", { kubernetesVersion: input.controllersVersion ?? kubernetesVersion }),
        kwok: input.kwok ? binaryPath("kwok") : "kwok",
      },
    },
    adminKubeconfig,
    adminTLS: { ca: pem("ca-bundle.crt"), cert: pem("admin.crt"), key: pem("admin.key") },
  };
}

/**
 * Writes a file with owner-only permissions unless it already holds exactly
 * this content; returns its path. Replaced by a rename, never rewritten in
 * place: kube-apiserver reloads certificates and CA bundles when their file
 * changes, and must never read one half-written.
 */
function writeIfChanged(path: string, content: string): string {
  if (existsSync(path) && readFileSync(path, "utf8") === content) return path;
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
  return path;
}
