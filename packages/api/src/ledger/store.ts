import { clusterObjectNames } from "../v1alpha1/cluster-names.ts";
import type { Cluster } from "../v1alpha1/cluster.ts";
import { kubeconfigTrust } from "./fingerprint.ts";
import { ledgerDataChange, newLedgerConfigMap, parseLedger, type KubeconfigChannel, type KubeconfigKind, type KubeconfigRecord, type LedgerConfigMap } from "./kubeconfig-ledger.ts";

/**
 * What the ledger needs of a client of the management API, so that the
 * server (ObjectClient), the CLI (CoreV1Api) and the operator share this
 * code with the clients they have. Errors are client-node's ApiException
 * (a `code` of 409 is a conflict).
 */
export interface LedgerClient {
  /** The ConfigMap, or undefined when it does not exist. */
  read(namespace: string, name: string): Promise<LedgerConfigMap | undefined>;
  create(configMap: LedgerConfigMap): Promise<void>;
  /** Applies a JSON merge patch. */
  patch(namespace: string, name: string, mergePatch: object): Promise<void>;
}

/** The raw request an ObjectClient (packages/runtime) makes. */
export interface LedgerRequester {
  request<T>(method: "GET" | "POST" | "PATCH", path: string, options?: { readonly body?: unknown; readonly contentType?: string }): Promise<T>;
}

function statusOf(error: unknown): unknown {
  return typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** A LedgerClient over an ObjectClient's raw requests. */
export function requestLedgerClient(requester: LedgerRequester): LedgerClient {
  const path = (namespace: string, name = ""): string => `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps${name === "" ? "" : `/${encodeURIComponent(name)}`}`;
  return {
    read: async (namespace, name) => {
      try {
        return await requester.request<LedgerConfigMap>("GET", path(namespace, name));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    create: async (configMap) => {
      await requester.request("POST", path(configMap.metadata?.namespace ?? ""), { body: configMap });
    },
    patch: async (namespace, name, mergePatch) => {
      await requester.request("PATCH", path(namespace, name), { body: mergePatch, contentType: "application/merge-patch+json" });
    },
  };
}

/** The records of a cluster's ledger, newest first (none when it has no ledger yet). */
export async function readKubeconfigLedger(client: LedgerClient, cluster: Pick<Cluster, "metadata">): Promise<KubeconfigRecord[]> {
  const configMap = await client.read(cluster.metadata.namespace ?? "", clusterObjectNames.kubeconfigLedger(cluster.metadata.name ?? ""));
  return parseLedger(configMap?.data);
}

/** A hand-out to record. */
export interface KubeconfigHandout {
  readonly cluster: Pick<Cluster, "apiVersion" | "kind" | "metadata">;
  /** Who got it: the user name the management API authenticated. */
  readonly holder: string;
  readonly kind: KubeconfigKind;
  /** The kubeconfig as handed out (only its certificates are read; nothing of it is stored). */
  readonly kubeconfig: string;
  readonly via: KubeconfigChannel;
  readonly now: Date;
}

/** Tries after a conflict (another hand-out of the same cluster at the same moment). */
const attempts = 5;

/**
 * Records a hand-out in the cluster's ledger: creates the ConfigMap, or
 * merge-patches the holder's key (and drops the oldest records past the
 * bound) on the version read, trying again on a conflict. Answers the
 * record written.
 */
export async function recordKubeconfig(client: LedgerClient, handout: KubeconfigHandout): Promise<KubeconfigRecord> {
  if (handout.holder === "") throw new Error("recordKubeconfig: holder must name the user the kubeconfig was handed out to");
  const trust = kubeconfigTrust(handout.kubeconfig);
  const record: KubeconfigRecord = { holder: handout.holder, kind: handout.kind, time: handout.now.toISOString(), cas: trust.cas, ...(trust.clientCA === undefined ? {} : { clientCA: trust.clientCA }), via: handout.via };
  const namespace = handout.cluster.metadata.namespace ?? "";
  const name = clusterObjectNames.kubeconfigLedger(handout.cluster.metadata.name ?? "");
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = await client.read(namespace, name);
      const data = ledgerDataChange(existing?.data, record);
      if (existing === undefined) {
        await client.create(newLedgerConfigMap(handout.cluster, Object.fromEntries(Object.entries(data).filter((e): e is [string, string] => e[1] !== null))));
      } else {
        await client.patch(namespace, name, { metadata: { resourceVersion: existing.metadata?.resourceVersion }, data });
      }
      return record;
    } catch (error) {
      if (statusOf(error) !== 409 || attempt >= attempts) throw error;
    }
  }
}
