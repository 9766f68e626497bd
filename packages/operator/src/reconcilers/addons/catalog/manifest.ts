/*
 * How a built-in add-on's objects are written — read before adding a field.
 *
 * The add-on controller finds drift by comparing each rendered object as a
 * SUBSET of the live one: every field written here must come back from the
 * API server exactly as written, or the add-on is "repaired" on every pass.
 * So every renderer writes the API server's canonical form:
 * - `apiVersion` and `kind` on every object; `namespace` only on namespaced
 *   kinds (the server drops it from cluster-scoped ones);
 * - quantities as the server prints them ("100m", "70Mi", "1"; never "0.1"
 *   or "1000m"), integers as numbers, booleans as booleans, and ports with
 *   their `protocol`;
 * - no empty objects or arrays, no `null`, no field the server drops, moves
 *   or rewrites (a Secret's `stringData`, a Service's `clusterIPs`);
 * - nothing a running add-on writes itself (the dashboard stores its CSRF
 *   key in its Secret: the Secret is rendered without data).
 * Output is a pure function of the inputs, built in a fixed key order, so
 * equal inputs give byte-identical objects and digests.
 */
import type { V1ObjectMeta, V1PodSecurityContext, V1SecurityContext, V1Toleration } from "@kubernetes/client-node";
import { addonLabel, type BuiltinAddonName } from "./types.ts";

/** The label saying Seedbed, not the cluster's users, owns an object (the recommended `app.kubernetes.io/managed-by`). */
export const managedByLabel = "app.kubernetes.io/managed-by";

/** The labels every object of a built-in add-on carries, then its own (selectors, well-known names). */
export function addonLabels(addon: BuiltinAddonName, own: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { ...own, [addonLabel]: addon, [managedByLabel]: "seedbed" };
}

/** Where an object goes and what it is labelled with, beyond the add-on's own labels. */
export interface ObjectPlacement {
  /** Only for namespaced kinds. */
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An add-on object's metadata: its name, its namespace for namespaced kinds, and the add-on's labels. */
export function addonMetadata(addon: BuiltinAddonName, name: string, placement: ObjectPlacement = {}): V1ObjectMeta {
  return {
    name,
    ...(placement.namespace === undefined ? {} : { namespace: placement.namespace }),
    labels: addonLabels(addon, placement.labels),
    ...(placement.annotations === undefined ? {} : { annotations: { ...placement.annotations } }),
  };
}

/** The RBAC API every add-on's roles and bindings use. */
export const rbacAPIVersion = "rbac.authorization.k8s.io/v1";

// The pieces below are functions, not shared constants: each rendering gets
// objects of its own, so a caller that edits one rendering never changes the next.

/** A pod's tolerations for the critical add-ons Kubernetes itself runs: schedulable on control-plane nodes and where only critical add-ons may go. */
export function criticalAddonTolerations(): V1Toleration[] {
  return [
    { key: "CriticalAddonsOnly", operator: "Exists" },
    { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" },
  ];
}

/** Linux nodes only: the images are built for Linux. */
export function linuxNodeSelector(): Record<string, string> {
  return { "kubernetes.io/os": "linux" };
}

/** The container security context every add-on workload runs with: no privilege escalation, no capabilities, nothing written to its image. */
export function restrictedContainer(): V1SecurityContext {
  return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
}

/** A pod that runs as `user` (never root) under the runtime's default seccomp profile. */
export function nonRootPod(user: number, group: number = user): V1PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: user, runAsGroup: group, seccompProfile: { type: "RuntimeDefault" } };
}
