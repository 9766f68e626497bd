import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from "@kubernetes/client-node";
import { eventually } from "@seedbed/testing";
import { useKubeAPI } from "@seedbed/testing/vitest";
import { beforeAll, describe, expect, it } from "vitest";
import { installAdmissionPolicies, installCRDs, kubeconfigLedgerPolicyName } from "../src/index.ts";
import { rejection } from "./admission-helpers.ts";

const namespace = "project-ledger";

describe("admission of project members' ConfigMap writes, by a real kube-apiserver", () => {
  const api = useKubeAPI();
  let asMember: CoreV1Api;
  let asAdmin: CoreV1Api;

  beforeAll(async () => {
    const kc = api().kubeConfig();
    await installCRDs(kc);
    await installAdmissionPolicies(kc);
    asAdmin = kc.makeApiClient(CoreV1Api);
    await asAdmin.createNamespace({ body: { metadata: { name: namespace, labels: { "seedbed.dev/project": "ledger" } } } });
    // A person with the right RBAC gives members (create, patch configmaps in the namespace).
    const member = new KubeConfig();
    member.loadFromString(kc.exportConfig());
    member.users = member.users.map((u) => ({ ...u, impersonateUser: "alice@example.com", impersonateGroups: ["team"] }) as typeof u);
    asMember = member.makeApiClient(CoreV1Api);
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({ namespace, body: { metadata: { name: "ledger" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "create", "patch"] }] } });
    await rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name: "ledger" }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "ledger" }, subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "alice@example.com" }] } });
  });

  it("lets a member write a cluster's kubeconfig ledger and nothing else, and leaves controllers alone", async () => {
    const ledger = { metadata: { name: "web-kubeconfigs", labels: { "seedbed.dev/cluster": "web" } }, data: { "admin.alice": "{}" } };
    // Admission policies are loaded by kube-apiserver a moment after they are created: a refused stray ConfigMap proves this one is.
    const stray = { metadata: { name: "settings" }, data: { a: "b" } };
    await eventually(() => rejection(asMember.createNamespacedConfigMap({ namespace, body: stray, dryRun: "All" })), (r) => r !== undefined, { timeoutMs: 15_000, description: "a member's stray ConfigMap refused (dry run)" });
    const message = await rejection(asMember.createNamespacedConfigMap({ namespace, body: stray }));
    expect(message?.map((c) => c.message).join("\n")).toContain(`ValidatingAdmissionPolicy '${kubeconfigLedgerPolicyName}'`);
    expect(message?.map((c) => c.message).join("\n")).toContain("project members may write only the kubeconfig ledger of a cluster");
    // A ledger named after another cluster than its label is no ledger.
    expect(await rejection(asMember.createNamespacedConfigMap({ namespace, body: { ...ledger, metadata: { name: "web-kubeconfigs", labels: { "seedbed.dev/cluster": "db" } } } }))).toBeDefined();
    const created = await asMember.createNamespacedConfigMap({ namespace, body: ledger });
    expect(created.metadata?.name).toBe("web-kubeconfigs");
    // The platform admin (system:masters) writes what it needs.
    const other = await asAdmin.createNamespacedConfigMap({ namespace, body: { metadata: { name: "anything" } } });
    expect(other.metadata?.name).toBe("anything");
  });
});
