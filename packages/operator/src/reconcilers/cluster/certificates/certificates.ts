import type { V1Secret } from "@kubernetes/client-node";
import { clusterObjectNames, completeCARotationAnnotation, outstandingKubeconfigs, readKubeconfigLedger, requestLedgerClient, rotateCAAnnotation, type Cluster, type ClusterCertificatesStatus } from "@seedbed/api";
import type { ControlPlaneObservation, HostingDriver } from "@seedbed/controlplane";
import { createClusterAuthorities, validityOf } from "@seedbed/pki";
import type { Clock, EventRecorder, ObjectClient } from "@seedbed/runtime";
import type { CertificateTimes } from "./policy.ts";
import { decideRotation, type RotationState } from "./rotation.ts";
import { probeServing } from "./served.ts";
import { authoritiesMadeMs, describePKI, fingerprintOf, rotationStatus } from "./status.ts";
import { ensurePKI, leafExpiryOf, readSecret, storeStep, type PKIInputs, type StoredPKI } from "./store.ts";

/** What the certificate side of the Cluster reconciler works with. */
export interface ClusterCertificatesOptions {
  readonly client: ObjectClient;
  readonly events: EventRecorder;
  readonly clock: Clock;
  /** The cached PKI Secret of a cluster. */
  readonly secret: (namespace: string, name: string) => V1Secret | undefined;
  /** The longest a service-account token lives (kube-apiserver's --service-account-max-token-expiration): how long the old key must keep verifying (default 24 h). */
  readonly tokenLifetimeMs?: number;
  /**
   * On drivers whose components read certificates from mounted Secrets
   * (kubernetes seeds), how long a changed Secret may take to reach the
   * files (the kubelet rewrites them 60–90 s after, and kube-apiserver may take up to a minute more to notice: default 150 s).
   */
  readonly secretPropagationMs?: number;
  /** Machines of the cluster's real (not kwok) node pools made before `sinceMs`, or whose making time is unknown. */
  readonly machinesMadeBefore?: (cluster: Cluster, sinceMs: number) => number;
}

/** What a pass reports about certificates, and when it must look again. */
export interface CertificatesObservation {
  readonly status: ClusterCertificatesStatus;
  readonly wakeInMs?: number;
}

/**
 * The PKI of each cluster over its life: made, leaves renewed before their
 * renewal point, and CAs rotated in steps (rotation.ts), each step stored
 * with the PKI it describes and taken only once every component serves
 * with the previous one.
 */
export class ClusterCertificates {
  readonly #o: ClusterCertificatesOptions;
  /** Per PKI Secret, the last one this process wrote and the resourceVersions its writes replaced: a cache still holding one of those is behind. */
  readonly #written = new Map<string, { superseded: Set<string>; secret: V1Secret }>();
  /** Per cluster, the last count of outstanding kubeconfigs, for which CA, and when it was read. */
  readonly #ledgerCounts = new Map<string, { ca: string; at: number; count: number }>();

  constructor(options: ClusterCertificatesOptions) {
    this.#o = options;
  }

  /** The cluster's PKI for this pass: made, or renewed when due. */
  async prepare(inputs: PKIInputs): Promise<StoredPKI> {
    const stored = await ensurePKI(this.#o.client, this.#cached(inputs.cluster), inputs);
    if (stored.action !== "kept") this.#remember(inputs.cluster, stored);
    if (stored.action === "renewed") {
      this.#o.events.record(inputs.cluster, { reason: "CertificatesRenewed", action: "Renew", note: `leaf certificates were due for renewal (or lacked a name the API is reached at) and are issued afresh from the same CAs for ${seconds(inputs.times.leafValidityMs)}; kube-apiserver and etcd load them without a restart` });
    }
    return stored;
  }

  /**
   * After the driver applied the PKI: whether every component serves with
   * it, the rotation's next step when it does, and status.certificates.
   */
  async observe(inputs: PKIInputs, stored: StoredPKI, driver: HostingDriver, controlPlane: ControlPlaneObservation, clusterId: string): Promise<CertificatesObservation> {
    const { cluster, times } = inputs;
    const now = this.#o.clock.now();
    const annotations = cluster.metadata.annotations ?? {};
    const last = stored.rotation?.phase === "Completed" && stored.rotation.completionTime !== undefined ? Date.parse(stored.rotation.completionTime) : authoritiesMadeMs(stored.pki);
    const underway = stored.rotation !== undefined && stored.rotation.phase !== "Completed";
    const served = underway ? await this.#served(stored, driver, controlPlane, clusterId, now) : { ok: true as const };
    const decision = decideRotation({
      state: stored.rotation,
      now,
      lastRotationMs: last,
      ...(times.rotateEveryMs === undefined ? {} : { rotateEveryMs: times.rotateEveryMs }),
      completeAfterMs: times.completeAfterMs,
      tokenLifetimeMs: this.#o.tokenLifetimeMs ?? 86_400_000,
      ...(annotations[rotateCAAnnotation] === undefined ? {} : { requested: annotations[rotateCAAnnotation] }),
      ...(annotations[completeCARotationAnnotation] === undefined ? {} : { completeRequested: annotations[completeCARotationAnnotation] }),
      served: served.ok,
      ...(stored.rotation?.phase === "Prepared" && this.#o.machinesMadeBefore !== undefined ? { untrustingMachines: this.#o.machinesMadeBefore(cluster, Date.parse(stored.rotation.phaseTime)) } : {}),
    });
    let current = stored;
    if (decision.next !== undefined) current = await this.#step(inputs, stored, decision.next);
    const message = decision.message ?? (served.ok ? undefined : served.why);
    const renewal = this.#renewalMs(current, times);
    const wake = [decision.next === undefined ? decision.wakeInMs : 500, renewal === undefined ? undefined : Math.max(0, renewal - now)].filter((v): v is number => v !== undefined);
    return {
      status: await this.#status(cluster, current, message, times, last, renewal),
      ...(wake.length === 0 ? {} : { wakeInMs: Math.min(...wake) }),
    };
  }

  /** Moves the PKI to a rotation state: new authorities when one starts. */
  async #step(inputs: PKIInputs, stored: StoredPKI, next: RotationState): Promise<StoredPKI> {
    const { cluster } = inputs;
    const existing = this.#cached(cluster) ?? (await readSecret(this.#o.client, cluster.metadata.namespace ?? "", clusterObjectNames.pkiSecret(cluster.metadata.name ?? "")));
    if (existing === undefined) throw new Error("the cluster's PKI Secret disappeared during the pass");
    const starting = stored.rotation === undefined || stored.rotation.phase === "Completed";
    const fresh = starting ? await createClusterAuthorities({ clusterName: `${cluster.metadata.namespace ?? ""}/${cluster.metadata.name ?? ""}`, caValidity: validityOf(inputs.times.caValidityMs), now: inputs.now }, next.id) : undefined;
    const written = await storeStep(this.#o.client, existing, next, inputs, fresh === undefined ? {} : { fresh });
    this.#remember(cluster, written);
    const what = next.phase === "Completed" ? "CARotationCompleted" : starting ? "CARotationStarted" : "CARotationProgressing";
    this.#o.events.record(cluster, { reason: what, action: "RotateCA", note: `CA rotation ${next.id}: ${next.phase}, step ${next.step}` });
    return written;
  }

  /** Whether every component serves with the stored PKI (see served.ts); on kubernetes seeds, whether the mounted files have had time to change. */
  async #served(stored: StoredPKI, driver: HostingDriver, controlPlane: ControlPlaneObservation, clusterId: string, now: number): Promise<{ ok: true } | { ok: false; why: string }> {
    const unready = controlPlane.components.filter((c) => !c.ready).map((c) => c.name);
    if (unready.length > 0) return { ok: false, why: `waiting for ${unready.join(", ")} to run with the new certificates` };
    const file = (name: string): string => stored.pki.get(name) ?? "";
    if (driver.name !== "local") {
      const since = Date.parse(stored.rotation?.stepTime ?? "") || now;
      const wait = this.#o.secretPropagationMs ?? 150_000;
      return now - since >= wait ? { ok: true } : { ok: false, why: `waiting ${Math.ceil((since + wait - now) / 1000)} s more for the seed's kubelets to update the mounted certificates` };
    }
    const api = await probeServing(controlPlane.endpoint, "/api", { caBundle: file("ca-bundle.crt"), clientPem: file("admin.crt"), clientKeyPem: file("admin.key"), expectedServerPem: file("apiserver.crt") });
    if (!api.ok) return api;
    const etcd = await driver.connectEtcd?.(clusterId);
    if (etcd === undefined) return { ok: true };
    try {
      return await probeServing(etcd.endpoint, "/health", { caBundle: file("etcd-ca-bundle.crt"), clientPem: file("apiserver-etcd-client.crt"), clientKeyPem: file("apiserver-etcd-client.key"), expectedServerPem: file("etcd-server.crt") });
    } finally {
      await etcd.close();
    }
  }

  async #status(cluster: Cluster, stored: StoredPKI, message: string | undefined, times: CertificateTimes, lastMs: number, renewalMs: number | undefined): Promise<ClusterCertificatesStatus> {
    const described = describePKI(stored.pki);
    const rotation = stored.rotation;
    const underway = rotation !== undefined && rotation.phase !== "Completed";
    const ca = stored.pki.get("ca.crt");
    // Read only while Prepared, when it decides something (who loses access when the rotation completes), and at most every 10 s.
    const outstanding = rotation?.phase === "Prepared" && ca !== undefined ? await this.#outstanding(cluster, fingerprintOf(ca)) : undefined;
    return {
      ...described,
      ...(renewalMs === undefined ? {} : { renewalTime: new Date(renewalMs).toISOString() }),
      ...(rotation === undefined ? {} : { rotation: rotationStatus(rotation, message, outstanding) }),
      lastRotationTime: new Date(lastMs).toISOString(),
      ...(times.rotateEveryMs === undefined || underway ? {} : { nextRotationTime: new Date(lastMs + times.rotateEveryMs).toISOString() }),
    };
  }

  /** Kubeconfigs trusting only the old CA, from the cluster's ledger, read again at most every 10 s (each pass of a rotation would read it otherwise). */
  async #outstanding(cluster: Cluster, caFingerprint: string): Promise<number> {
    const key = secretKey(cluster);
    const now = this.#o.clock.now();
    const known = this.#ledgerCounts.get(key);
    if (known !== undefined && known.ca === caFingerprint && now - known.at < 10_000) return known.count;
    const count = outstandingKubeconfigs(await readKubeconfigLedger(requestLedgerClient(this.#o.client), cluster), caFingerprint).length;
    this.#ledgerCounts.set(key, { ca: caFingerprint, at: now, count });
    return count;
  }

  /** When the next leaf renewal is due. */
  #renewalMs(stored: StoredPKI, times: CertificateTimes): number | undefined {
    const expiry = leafExpiryOf(stored);
    return expiry === undefined ? undefined : expiry.getTime() - times.renewBeforeMs;
  }

  /** The cached PKI Secret, unless this process has written a newer one the cache has not seen yet (which is then used). */
  #cached(cluster: Cluster): V1Secret | undefined {
    const key = secretKey(cluster);
    const cached = this.#o.secret(cluster.metadata.namespace ?? "", clusterObjectNames.pkiSecret(cluster.metadata.name ?? ""));
    const written = this.#written.get(key);
    if (written === undefined) return cached;
    if (cached === undefined || written.superseded.has(cached.metadata?.resourceVersion ?? "")) return written.secret;
    // The cache has caught up (or someone else wrote since): it is the truth again.
    this.#written.delete(key);
    return cached;
  }

  #remember(cluster: Cluster, stored: StoredPKI): void {
    const key = secretKey(cluster);
    const superseded = this.#written.get(key)?.superseded ?? new Set<string>();
    if (stored.replaced !== undefined) superseded.add(stored.replaced);
    this.#written.set(key, { superseded, secret: stored.secret });
  }

  /** Forgets a deleted cluster. */
  forget(cluster: Cluster): void {
    this.#written.delete(secretKey(cluster));
    this.#ledgerCounts.delete(secretKey(cluster));
  }
}

function secretKey(cluster: Cluster): string {
  return `${cluster.metadata.namespace ?? ""}/${cluster.metadata.name ?? ""}`;
}

function seconds(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${Math.round(ms / 1000)}s`;
}
