
import { authenticationConfigFile, componentVersionsOf, type ControlPlanePlan } from "../driver.ts";
import { mountPaths, seedLabels, seedNamespace, type Manifest } from "./names.ts";
import { renderDisruptionBudgets, renderNetworkPolicies, renderServices } from "./network.ts";
import { renderKwokWorkload } from "./kwok.ts";
import { resolveSeedImages, type SeedImageOptions } from "./images.ts";
import { renderSecrets } from "./secrets.ts";
import { renderAPIServerDeployment, renderControllerDeployments, renderEtcdStatefulSet } from "./workloads.ts";

/** Where the control plane's images come from (registry and per-component overrides). */
export type SeedRenderOptions = SeedImageOptions;

/**
 * A cluster's control plane as objects for its seed namespace, in the order
 * they are applied. Pure: the same plan gives byte-identical objects, so an
 * unchanged cluster is never re-rolled. A component's pods roll only when
 * a file it reads at start changes (its checksum annotation, see
 * secrets.ts); renewed leaves only update the Secrets, which the kubelet
 * writes into the running pods and etcd and kube-apiserver reload.
 */
export function renderSeedControlPlane(plan: ControlPlanePlan, options: SeedRenderOptions = {}): Manifest[] {
  const clusterId = plan.clusterId;
  const { objects: secrets, checksums } = renderSecrets(clusterId, plan.pki, plan.authenticationConfig);
  const versions = componentVersionsOf(plan);
  // kube-apiserver's image at its version, the controllers' at theirs (they differ while an upgrade rolls).
  const controllerImages = resolveSeedImages(versions.controllers, options);
  const workload = {
    clusterId,
    versions,
    images: { ...resolveSeedImages(versions.apiServer, options), "kube-controller-manager": controllerImages["kube-controller-manager"], "kube-scheduler": controllerImages["kube-scheduler"] },
    apiServerReplicas: plan.controlPlane.apiServerReplicas,
    etcdMembers: plan.controlPlane.etcdMembers,
    etcdStorage: plan.controlPlane.etcdStorage,
    serviceCIDR: plan.network.serviceCIDR,
    podCIDR: plan.network.podCIDR,
    dnsDomain: plan.network.dnsDomain,
    checksums,
    apiServerExtraFlags: plan.authenticationConfig === undefined ? plan.apiServerExtraFlags : { ...plan.apiServerExtraFlags, "authentication-config": `${mountPaths.apiServerPKI}/${authenticationConfigFile}` },
  };
  const exposure = { clusterId, serviceType: plan.exposure.serviceType, allowedSourceRanges: plan.exposure.allowedSourceRanges, apiServerReplicas: plan.controlPlane.apiServerReplicas, etcdMembers: plan.controlPlane.etcdMembers };
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: seedNamespace(clusterId), labels: seedLabels(clusterId) } },
    ...secrets,
    ...renderServices(exposure),
    ...renderNetworkPolicies(exposure),
    ...renderDisruptionBudgets(exposure),
    renderEtcdStatefulSet(workload),
    renderAPIServerDeployment(workload),
    ...renderControllerDeployments(workload),
    ...(plan.kwok === true ? renderKwokWorkload(clusterId, plan.pki, workload.images.kwok) : []),
  ];
}
