import { KubernetesObjectApi, loadYaml, PatchStrategy, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { stringify } from "yaml";
import { admissionPolicies } from "./version-skew.ts";

/**
 * Applies seedbed.dev's ValidatingAdmissionPolicies and their bindings
 * (server-side apply, so a newer Seedbed updates them in place). Their
 * params are seedbed.dev objects: apply them once the CRDs are served.
 */
export async function installAdmissionPolicies(kc: KubeConfig, options: { readonly fieldManager?: string } = {}): Promise<void> {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const object of admissionPolicies()) {
    // Through loadYaml, as the CRDs are, so that client-node's serializer keeps every field.
    await objects.patch(loadYaml<KubernetesObject>(stringify(object)), undefined, undefined, options.fieldManager ?? "seedbed", true, PatchStrategy.ServerSideApply);
  }
}
