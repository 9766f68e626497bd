import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import { ManagedProcess, reservePorts, waitForReady } from "@seedbed/controlplane";
import { createCertificateAuthority, issueCertificate } from "@seedbed/pki";
import { run } from "@seedbed/testing";
import { helmEnv, packageCharts, type ChartSource } from "./helm-charts.ts";

/** A real OCI registry on loopback, over TLS from a CA of its own, holding charts pushed by the real helm. */
export interface ServedOCIRegistry {
  /** oci://127.0.0.1:port/charts — what a HelmChart's `repository` names. */
  readonly repository: string;
  /** PEM of the CA that signed the registry's certificate: what an add-on's caBundle carries. */
  readonly caBundle: string;
  /** Stops the registry and removes its files. */
  close(): Promise<void>;
}

/**
 * Starts the CNCF distribution registry (built from its Go module, pinned
 * in tools/k8s/versions.json) on 127.0.0.1 with TLS, then packages each
 * chart and pushes it there with `helm push`, trusting the CA through
 * --ca-file only: none of this machine's CAs or helm configuration.
 */
export async function serveOCIRegistry(charts: readonly ChartSource[], helmBinary: string = binaryPath("helm")): Promise<ServedOCIRegistry> {
  const dir = await mkdtemp(join(tmpdir(), "seedbed-oci-"));
  const reservation = await reservePorts(1);
  let registry: ManagedProcess | undefined;
  const close = async (): Promise<void> => {
    await registry?.stop();
    reservation.release();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = reservation.ports[0] ?? 0;
    const ca = await createCertificateAuthority({ commonName: "oci-registry-test-ca" });
    const server = await issueCertificate(ca, { commonName: "registry", usage: "server", altNames: ["127.0.0.1"] });
    const files = { ca: join(dir, "ca.crt"), cert: join(dir, "registry.crt"), key: join(dir, "registry.key"), config: join(dir, "config.json") };
    await writeFile(files.ca, ca.certificatePem);
    await writeFile(files.cert, server.certificatePem);
    await writeFile(files.key, server.privateKeyPem, { mode: 0o600 });
    // JSON is YAML: the registry reads its configuration file as YAML.
    const config = {
      version: 0.1,
      log: { level: "warn", accesslog: { disabled: true } },
      storage: { filesystem: { rootdirectory: join(dir, "storage") } },
      http: { addr: `127.0.0.1:${port}`, secret: "seedbed-test", tls: { certificate: files.cert, key: files.key } },
    };
    await writeFile(files.config, JSON.stringify(config));
    registry = await ManagedProcess.start({ name: "distribution", command: binaryPath("distribution"), args: ["serve", files.config], env: {} }, { logFile: join(dir, "registry.log") });
    // The registry's API root answers 200 to an anonymous client.
    await waitForReady({ url: `https://127.0.0.1:${port}/v2/`, tls: { ca: ca.certificatePem }, process: registry, timeoutMs: 30_000 });
    const repository = `oci://127.0.0.1:${port}/charts`;
    await pushCharts(charts, repository, { helmBinary, scratch: join(dir, "helm"), caFile: files.ca });
    return { repository, caBundle: ca.certificatePem, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Packages the charts and pushes each (`helm push`) to `repository`, with helm's homes in `scratch`. */
async function pushCharts(charts: readonly ChartSource[], repository: string, options: { helmBinary: string; scratch: string; caFile: string }): Promise<void> {
  const packages = join(options.scratch, "packages");
  await packageCharts(charts, packages, options);
  for (const file of await readdir(packages)) {
    const pushed = await run(options.helmBinary, ["push", join(packages, file), repository, `--ca-file=${options.caFile}`], helmEnv(options.scratch), { timeoutMs: 60_000 });
    if (pushed.status !== 0) throw new Error(`helm push ${file} to ${repository} failed: ${pushed.stderr.trim()}`);
  }
}
