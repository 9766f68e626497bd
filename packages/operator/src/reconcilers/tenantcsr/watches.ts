import { KubeConfig, type V1CertificateSigningRequest } from "@kubernetes/client-node";
import { InformerCache, type Informer, type KindRef, type ObjectClient } from "@seedbed/runtime";
import { DeadlineClient, defaultTenantTimeoutMs, formatSeconds, TenantUnreachableError } from "../../tenants/deadline.ts";
import { isPendingServingCSR } from "./decide.ts";

const csrKind: KindRef = { apiVersion: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", plural: "certificatesigningrequests", namespaced: false };

/** The approver's view of one tenant: its CSRs, cached, and a client to decide them with. */
export interface TenantCSRs {
  readonly csrs: Informer<V1CertificateSigningRequest>;
  readonly client: ObjectClient;
  /** Resolves once the CSRs are listed; a TenantUnreachableError when not within the timeout of connecting. */
  synced(): Promise<void>;
}

interface Entry {
  readonly tenant: TenantCSRs;
  readonly informers: InformerCache;
  /** The admin kubeconfig (base64) it was made from: a new one reconnects. */
  readonly encoded: string;
}

/**
 * A watch on the CertificateSigningRequests of each serving tenant, as its
 * admin. A serving CSR that appears or changes while pending names its
 * cluster through `onChange`, so the approver decides it at once instead of
 * polling. Opened on first use, closed when the cluster goes.
 */
export class TenantCSRWatches {
  readonly #entries = new Map<string, Entry>();
  readonly #onChange: (cluster: { namespace: string; name: string }) => void;
  readonly #timeoutMs: number;

  /** `onChange` is told the Cluster whose tenant has a pending serving CSR; `timeoutMs` bounds requests and the first list (default 10 s). */
  constructor(options: { onChange: (cluster: { namespace: string; name: string }) => void; timeoutMs?: number }) {
    this.#onChange = options.onChange;
    this.#timeoutMs = options.timeoutMs ?? defaultTenantTimeoutMs;
  }

  /** The CSRs of the cluster `namespace/name` through the admin kubeconfig `encoded` (base64, as its Secret holds it). */
  async get(cluster: { namespace: string; name: string }, encoded: string): Promise<TenantCSRs> {
    const id = `${cluster.namespace}/${cluster.name}`;
    const known = this.#entries.get(id);
    if (known?.encoded === encoded) return known.tenant;
    if (known) await this.close(id);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(Buffer.from(encoded, "base64").toString("utf8"));
    const informers = new InformerCache({ kubeConfig });
    const csrs = informers.informerFor<V1CertificateSigningRequest>(csrKind);
    const changed = (csr: V1CertificateSigningRequest): void => {
      if (isPendingServingCSR(csr)) this.#onChange(cluster);
    };
    csrs.addHandlers({ add: changed, update: changed });
    csrs.start();
    const what = `cluster ${id}`;
    const syncBy = Date.now() + this.#timeoutMs;
    const tenant: TenantCSRs = {
      csrs,
      client: DeadlineClient.forTenant(kubeConfig, what, this.#timeoutMs),
      synced: async () => {
        if (await csrs.waitForSync(AbortSignal.timeout(Math.max(0, syncBy - Date.now())))) return;
        throw new TenantUnreachableError(`the API of ${what} has not listed its certificate signing requests within ${formatSeconds(this.#timeoutMs)} of connecting; retried with backoff`);
      },
    };
    this.#entries.set(id, { tenant, informers, encoded });
    return tenant;
  }

  /** Stops watching the cluster `namespace/name`. */
  async close(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    await entry?.informers.stop();
  }

  /** Stops every watch (the operator stopping). */
  async stopAll(): Promise<void> {
    for (const id of [...this.#entries.keys()]) await this.close(id);
  }
}
