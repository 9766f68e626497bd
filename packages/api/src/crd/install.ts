import { setTimeout as sleep } from "node:timers/promises";
import { ApiextensionsV1Api, KubernetesObjectApi, loadYaml, PatchStrategy, type KubeConfig, type V1CustomResourceDefinition } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { allKinds } from "../kinds.ts";
import { installAdmissionPolicies } from "../policy/install.ts";
import { buildCRD } from "./build.ts";

/** How long to wait for the CRDs to be served. */
export interface InstallCRDsOptions {
  readonly timeoutMs?: number;
  /** The server-side-apply field manager. */
  readonly fieldManager?: string;
}

/**
 * Applies every seedbed.dev CRD (server-side apply, so a newer Seedbed
 * updates them in place), waits until each is Established, i.e. served,
 * then applies the admission policies over them (policy/install.ts).
 */
export async function installCRDs(kc: KubeConfig, options: InstallCRDsOptions = {}): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  // Through loadYaml, so that client-node's serializer knows every field
  // (it would drop x-kubernetes-* keys it cannot map to its model names).
  const crds = allKinds.map((kind) => loadYaml<V1CustomResourceDefinition>(stringify(buildCRD(kind))));
  for (const crd of crds) {
    await objects.patch(crd, undefined, undefined, options.fieldManager ?? "seedbed", true, PatchStrategy.ServerSideApply);
  }
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (const crd of crds) {
    const name = crd.metadata?.name ?? "";
    for (;;) {
      const current: V1CustomResourceDefinition = await ext.readCustomResourceDefinition({ name });
      if (current.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} was not Established in time: ${JSON.stringify(current.status?.conditions ?? [])}`);
      await sleep(100);
    }
  }
  // The admission policies whose params are seedbed.dev objects (the version skew of nodes): once those are served.
  await installAdmissionPolicies(kc, options);
}
