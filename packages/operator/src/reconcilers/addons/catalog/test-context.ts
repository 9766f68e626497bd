import type { KubernetesObject } from "@kubernetes/client-node";
import type { AddonContext } from "./types.ts";

/** A cluster with the platform's default network, for the renderers' tests. */
export const testContext: AddonContext = {
  kubernetesVersion: "1.37.1",
  podCIDR: "10.244.0.0/16",
  serviceCIDR: "10.96.0.0/12",
  dnsDomain: "cluster.local",
  apiEndpoint: { host: "203.0.113.7", port: 6443 },
};

/** The rendered object of `kind` named `name`; throws naming it when there is none. */
export function findObject(objects: readonly KubernetesObject[], kind: string, name: string): KubernetesObject {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
}
