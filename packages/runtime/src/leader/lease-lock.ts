import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import { isNotFound, type ObjectClient } from "../client/object-client.ts";

/** The leader election record, as coordination.k8s.io/v1 LeaseSpec stores it. */
export interface LeaseRecord {
  /** Empty when nobody holds the lease (released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  /** MicroTime strings, written with the holder's clock. */
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly leaseTransitions: number;
}

/** A record with the resourceVersion it was read at. */
export interface ObservedLease {
  readonly record: LeaseRecord;
  readonly resourceVersion: string;
}

/**
 * Where the record lives. Writes carry the resourceVersion they replace,
 * so of two candidates updating at once one gets 409 Conflict and loses.
 */
export interface LeaseLock {
  /** The record, or undefined if the lease does not exist. */
  get(signal?: AbortSignal): Promise<ObservedLease | undefined>;
  /** Creates the lease; throws (409) if it exists. Returns the new resourceVersion. */
  create(record: LeaseRecord, signal?: AbortSignal): Promise<string>;
  /** Replaces the record if it is still at `resourceVersion`; throws (409) otherwise. */
  update(record: LeaseRecord, resourceVersion: string, signal?: AbortSignal): Promise<string>;
  /** "namespace/name", for logs. */
  describe(): string;
}

interface LeaseJSON {
  metadata?: { resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Partial<LeaseRecord>;
}

/** A LeaseLock on a coordination.k8s.io/v1 Lease. */
export class KubernetesLeaseLock implements LeaseLock {
  readonly #client: ObjectClient;
  readonly #namespace: string;
  readonly #name: string;
  /** The labels and annotations last read: an update carries them over, so a Lease that an installer created (Helm's ownership labels) stays its own. */
  #kept: { labels?: Record<string, string>; annotations?: Record<string, string> } = {};

  /** The Lease `name` in `namespace`. */
  constructor(client: ObjectClient, namespace: string, name: string) {
    this.#client = client;
    this.#namespace = namespace;
    this.#name = name;
  }

  /** Reads the Lease. */
  async get(signal?: AbortSignal): Promise<ObservedLease | undefined> {
    try {
      const lease = await this.#client.request<LeaseJSON>("GET", `${this.#collection()}/${this.#name}`, { signal });
      const spec = lease.spec ?? {};
      this.#kept = { ...(lease.metadata?.labels ? { labels: lease.metadata.labels } : {}), ...(lease.metadata?.annotations ? { annotations: lease.metadata.annotations } : {}) };
      return {
        record: {
          holderIdentity: spec.holderIdentity ?? "",
          leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
          acquireTime: spec.acquireTime,
          renewTime: spec.renewTime,
          leaseTransitions: spec.leaseTransitions ?? 0,
        },
        resourceVersion: lease.metadata?.resourceVersion ?? "",
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Creates the Lease holding `record`. */
  async create(record: LeaseRecord, signal?: AbortSignal): Promise<string> {
    const body = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: this.#name, namespace: this.#namespace }, spec: record };
    const created = await this.#client.request<LeaseJSON>("POST", this.#collection(), { body, signal });
    return created.metadata?.resourceVersion ?? "";
  }

  /** Replaces the Lease's spec, conditional on `resourceVersion`. */
  async update(record: LeaseRecord, resourceVersion: string, signal?: AbortSignal): Promise<string> {
    const body = { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: this.#name, namespace: this.#namespace, resourceVersion, ...this.#kept }, spec: record };
    const updated = await this.#client.request<LeaseJSON>("PUT", `${this.#collection()}/${this.#name}`, { body, signal });
    return updated.metadata?.resourceVersion ?? "";
  }

  /** "namespace/name". */
  describe(): string {
    return `${this.#namespace}/${this.#name}`;
  }

  #collection(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.#namespace}/leases`;
  }
}

/** The host name and a random suffix, as client-go's callers build identities: unique even for two processes on one host. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomBytes(4).toString("hex")}`;
}
