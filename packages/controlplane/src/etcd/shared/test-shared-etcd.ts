import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binaryPath } from "@seedbed/binaries";
import { createCertificateAuthority, issueCertificate } from "@seedbed/pki";
import { ensurePKIFiles } from "../../local/pki-files.ts";
import { reservePorts, type PortReservation } from "../../local/ports.ts";
import { ManagedProcess } from "../../local/process.ts";
import { waitForReady, type ProbeTLS } from "../../local/readiness.ts";
import { renderEtcd } from "../../render/etcd.ts";
import { renderKubeAPIServer } from "../../render/kube-apiserver.ts";
import type { PKIFiles } from "../../pki-layout.ts";
import type { SharedEtcdAccess } from "./run.ts";
import { tenantApiServerFlags } from "./tenant.ts";

/*
 * Test support only (imported by shared.int.test.ts): one real etcd member
 * with client-certificate auth and its own CA, client certificates for any
 * CN, and a real kube-apiserver that uses it as a tenant.
 */

/** A running kube-apiserver of one tenant. */
export interface TenantAPIServer {
  /** https://127.0.0.1:port */
  readonly server: string;
  /** The tenant cluster's PKI files (its admin certificate among them). */
  readonly pki: PKIFiles;
  readonly process: ManagedProcess;
  /** Its log file. */
  readonly logFile: string;
}

/** A real single-member etcd whose clients authenticate by certificate; stopAll() ends everything it started. */
export class TestSharedEtcd {
  readonly dir: string;
  readonly endpoint: string;
  readonly #caFile: string;
  readonly #ca: Awaited<ReturnType<typeof createCertificateAuthority>>;
  readonly #started: ManagedProcess[] = [];
  readonly #reservations: PortReservation[] = [];

  private constructor(dir: string, endpoint: string, ca: Awaited<ReturnType<typeof createCertificateAuthority>>) {
    this.dir = dir;
    this.endpoint = endpoint;
    this.#ca = ca;
    this.#caFile = join(dir, "pki", "ca.crt");
  }

  /** Starts the member (data without fsync) and waits until it serves. */
  static async start(): Promise<TestSharedEtcd> {
    const dir = mkdtempSync(join(tmpdir(), "seedbed-shared-etcd-"));
    const ports = await reservePorts(2);
    const [client = 0, peer = 0] = ports.ports;
    const ca = await createCertificateAuthority({ commonName: "shared-etcd-ca" });
    const etcd = new TestSharedEtcd(dir, `https://127.0.0.1:${client}`, ca);
    etcd.#reservations.push(ports);
    mkdirSync(join(dir, "pki"), { mode: 0o700 });
    writeFileSync(etcd.#caFile, ca.certificatePem, { mode: 0o600 });
    const altNames = ["127.0.0.1", "localhost"];
    const [server, peerCert] = await Promise.all([
      issueCertificate(ca, { commonName: "etcd-server", usage: "server-and-client", altNames }),
      issueCertificate(ca, { commonName: "etcd-peer", usage: "server-and-client", altNames }),
    ]);
    const pki = (f: string, pem: string): string => {
      writeFileSync(join(dir, "pki", f), pem, { mode: 0o600 });
      return join(dir, "pki", f);
    };
    const spec = renderEtcd({
      binary: binaryPath("etcd"),
      dataDir: join(dir, "data"),
      clientPort: client,
      peerPort: peer,
      unsafeNoFsync: true,
      pki: { caFile: etcd.#caFile, serverCertFile: pki("server.crt", server.certificatePem), serverKeyFile: pki("server.key", server.privateKeyPem), peerCertFile: pki("peer.crt", peerCert.certificatePem), peerKeyFile: pki("peer.key", peerCert.privateKeyPem) },
    });
    const process = await ManagedProcess.start(spec, { logFile: join(dir, "etcd.log") });
    etcd.#started.push(process);
    const probeUser = await etcd.user("probe");
    const tls: ProbeTLS = { ca: ca.certificatePem, cert: readFileSync(probeUser.certFile, "utf8"), key: readFileSync(probeUser.keyFile, "utf8") };
    await waitForReady({ url: `${etcd.endpoint}/readyz`, tls, process, timeoutMs: 30_000 });
    return etcd;
  }

  /** A client certificate with CN=`commonName` signed by the etcd CA, as an access to this etcd. */
  async user(commonName: string): Promise<SharedEtcdAccess> {
    const cert = await issueCertificate(this.#ca, { commonName, usage: "client" });
    const base = join(this.dir, "pki", `client-${commonName}`);
    writeFileSync(`${base}.crt`, cert.certificatePem, { mode: 0o600 });
    writeFileSync(`${base}.key`, cert.privateKeyPem, { mode: 0o600 });
    return { endpoints: [this.endpoint], caFile: this.#caFile, certFile: `${base}.crt`, keyFile: `${base}.key`, timeoutMs: 15_000 };
  }

  /**
   * Starts a kube-apiserver of tenant `id` on this etcd: its own cluster PKI,
   * and towards etcd the tenant's certificate (CN=id) and tenantApiServerFlags.
   */
  async startAPIServer(id: string, tenant: SharedEtcdAccess): Promise<TenantAPIServer> {
    const ports = await reservePorts(1);
    this.#reservations.push(ports);
    const port = ports.ports[0] ?? 0;
    const base = join(this.dir, `apiserver-${id}`);
    mkdirSync(base, { recursive: true });
    const pki = await ensurePKIFiles(join(base, "pki"), { clusterName: id, kubernetesServiceIP: "10.96.0.1" });
    const spec = renderKubeAPIServer({
      binary: binaryPath("kube-apiserver"),
      securePort: port,
      etcdServers: tenant.endpoints,
      serviceClusterIPRange: "10.96.0.0/12",
      certDir: join(base, "certs"),
      pki: {
        clientCAFile: pki.caBundle,
        tlsCertFile: pki.apiServerCert,
        tlsKeyFile: pki.apiServerKey,
        etcdCAFile: tenant.caFile,
        etcdCertFile: tenant.certFile,
        etcdKeyFile: tenant.keyFile,
        serviceAccountKeyFile: pki.serviceAccountVerifyKeys,
        serviceAccountSigningKeyFile: pki.serviceAccountSigningKey,
        kubeletClientCertFile: pki.apiServerKubeletClientCert,
        kubeletClientKeyFile: pki.apiServerKubeletClientKey,
        frontProxyCAFile: pki.frontProxyCABundle,
        frontProxyClientCertFile: pki.frontProxyClientCert,
        frontProxyClientKeyFile: pki.frontProxyClientKey,
      },
      extraFlags: tenantApiServerFlags(id),
    });
    const logFile = join(base, "kube-apiserver.log");
    const process = await ManagedProcess.start(spec, { logFile });
    this.#started.push(process);
    const tls: ProbeTLS = { ca: readFileSync(pki.caCert, "utf8"), cert: readFileSync(pki.adminCert, "utf8"), key: readFileSync(pki.adminKey, "utf8") };
    const server = `https://127.0.0.1:${port}`;
    await waitForReady({ url: `${server}/readyz`, tls, process, timeoutMs: 60_000 });
    return { server, pki, process, logFile };
  }

  /** Kills every process started here and removes the directory. */
  async stopAll(): Promise<void> {
    await Promise.all(this.#started.map((p) => p.stop(3000)));
    for (const r of this.#reservations) r.release();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
